package dev.parley.gateway.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.PositiveOrZero;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of every {@code PUT /api/v1/rate-limits/…}: both fields required, each a whole number of at least 0, or
 * null for no limit. Read by {@link StrictBodyReader} (an unknown field, a number in a string or a fraction is a 400).
 */
@Schema(description = "Requests and tokens per minute; null means no limit. Both fields are required.")
public record LimitsBody(
        @JsonProperty(required = true) @PositiveOrZero
        @Schema(required = true, nullable = true, minimum = "0", description = "Requests per minute (null: no limit)")
        Long requestsPerMinute,
        @JsonProperty(required = true) @PositiveOrZero
        @Schema(required = true, nullable = true, minimum = "0", description = "Tokens per minute (null: no limit)")
        Long tokensPerMinute) { }
