package dev.parley.usage.entity;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One price of the catalogue, in USD per million tokens (per image for images); null where it does not apply.
 * {@code match} is {@code exact} (the model name) or {@code prefix} (every model name that starts with it).
 */
public record Price(Long id, String provider, String model, String match, BigDecimal inputPerMtok, BigDecimal outputPerMtok,
                    BigDecimal cachedInputPerMtok, BigDecimal cacheWritePerMtok, BigDecimal reasoningPerMtok,
                    BigDecimal perImage, Long longContextThresholdTokens, BigDecimal longContextInputPerMtok,
                    BigDecimal longContextOutputPerMtok, Instant effectiveFrom, String source) {

    public static final String EXACT = "exact";
    public static final String PREFIX = "prefix";

    public boolean matches(String provider, String model) {
        return this.provider.equals(provider) && (EXACT.equals(match) ? this.model.equals(model) : model.startsWith(this.model));
    }
}
