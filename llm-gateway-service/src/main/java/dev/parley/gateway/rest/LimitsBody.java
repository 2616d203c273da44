package dev.parley.gateway.rest;

import java.util.Optional;

import dev.parley.platform.json.JsonBody;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of every {@code PUT /api/v1/rate-limits/…}: both fields required, each a whole number of at least 0, or
 * null for no limit. A platform {@link JsonBody}: an unknown field, a number in a string, a fraction or a boolean is
 * the platform's 400 naming the field.
 */
@JsonBody(rejectUnknown = true)
@Schema(description = "Requests and tokens per minute; null means no limit. Both fields are required.")
public record LimitsBody(
        @NotNull(message = "required (null for no limit)")
        @Schema(required = true, nullable = true, minimum = "0", type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER,
                description = "Requests per minute (null: no limit)")
        Optional<@PositiveOrZero(message = "must be a non-negative integer or null") Long> requestsPerMinute,
        @NotNull(message = "required (null for no limit)")
        @Schema(required = true, nullable = true, minimum = "0", type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER,
                description = "Tokens per minute (null: no limit)")
        Optional<@PositiveOrZero(message = "must be a non-negative integer or null") Long> tokensPerMinute) {

    Long requests() {
        return requestsPerMinute.orElse(null);
    }

    Long tokens() {
        return tokensPerMinute.orElse(null);
    }
}
