package dev.parley.usage.service;

import java.math.BigDecimal;

import dev.parley.platform.json.JsonBody;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One price as an admin sends it ({@code POST}, {@code PUT /api/v1/pricing}) and as the bundled catalogue lists it,
 * checked by the same rules: USD per million tokens (per image for images), each from 0 to 10,000; unset cached,
 * cache-write and reasoning prices mean the input (resp. output) price. Unknown fields are refused, and prices are
 * JSON numbers.
 * {@link PriceCatalogue#price} turns it into a {@code Price}.
 */
@JsonBody(rejectUnknown = true)
public record PriceEntry(
        @NotBlank(message = REQUIRED) @Size(max = 64, message = "is at most 64 characters") String provider,
        @NotBlank(message = REQUIRED) @Size(max = 256, message = REQUIRED) String model,
        @Pattern(regexp = "exact|prefix", message = "is exact or prefix") @Schema(defaultValue = "exact") String match,
        @NotNull(message = "is required") @DecimalMin(value = "0", message = RANGE) @DecimalMax(value = "10000", message = RANGE)
        BigDecimal inputPerMtok,
        @NotNull(message = "is required") @DecimalMin(value = "0", message = RANGE) @DecimalMax(value = "10000", message = RANGE)
        BigDecimal outputPerMtok,
        @DecimalMin(value = "0", message = RANGE) @DecimalMax(value = "10000", message = RANGE) BigDecimal cachedInputPerMtok,
        @DecimalMin(value = "0", message = RANGE) @DecimalMax(value = "10000", message = RANGE) BigDecimal cacheWritePerMtok,
        @DecimalMin(value = "0", message = RANGE) @DecimalMax(value = "10000", message = RANGE) BigDecimal reasoningPerMtok,
        @DecimalMin(value = "0", message = RANGE) @DecimalMax(value = "10000", message = RANGE) BigDecimal perImage,
        @Positive(message = "is a positive whole number") Long longContextThresholdTokens,
        @DecimalMin(value = "0", message = RANGE) @DecimalMax(value = "10000", message = RANGE) BigDecimal longContextInputPerMtok,
        @DecimalMin(value = "0", message = RANGE) @DecimalMax(value = "10000", message = RANGE) BigDecimal longContextOutputPerMtok,
        @Schema(format = "date-time", description = "an ISO-8601 instant from 2000 to 2100; default: now") String effectiveFrom,
        String source) {

    static final String REQUIRED = "is required (a string of at most 256 characters)";
    static final String RANGE = "must be from 0 to 10000";
}
