package dev.parley.usage.service;

import java.math.BigDecimal;
import java.math.RoundingMode;

import dev.parley.usage.entity.Price;

/**
 * The cost of one call from its token counts and a price. Token counts follow OpenAI's usage as the gateway reports
 * it: {@code prompt_tokens} includes the cached reads and the cache writes, {@code completion_tokens} includes the
 * reasoning tokens. So:
 * <pre>
 * uncached input = prompt - cached - cache_write            at the input price (long-context tier above the threshold)
 * cached input   = cached                                    at the cached price (the input price when none is set)
 * cache writes   = cache_write                               at the cache-write price (the input price when none)
 * output         = completion - reasoning                    at the output price (long-context tier above the threshold)
 * reasoning      = reasoning                                 at the reasoning price (the output price when none)
 * images         = images                                    at the per-image price (0 when none)
 * </pre>
 * The long-context tier applies to the whole call when its prompt exceeds the threshold (as Gemini and Anthropic bill);
 * set cache-read and cache-write prices rise in the same ratio as the input price.
 * Exact decimal arithmetic, rounded to 10 decimal places at the end.
 */
public final class CostCalculator {
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private CostCalculator() { }

    public static BigDecimal cost(Price p, long prompt, long completion, long cached, long reasoning, long cacheWrite, long images) {
        long cachedR = clamp(cached, prompt);
        long writeR = clamp(cacheWrite, prompt - cachedR);
        long uncached = prompt - cachedR - writeR;
        long reasoningR = clamp(reasoning, completion);
        long output = completion - reasoningR;
        boolean longContext = p.longContextThresholdTokens() != null && prompt > p.longContextThresholdTokens();
        BigDecimal in = longContext && p.longContextInputPerMtok() != null ? p.longContextInputPerMtok() : p.inputPerMtok();
        BigDecimal out = longContext && p.longContextOutputPerMtok() != null ? p.longContextOutputPerMtok() : p.outputPerMtok();
        // in the long-context tier, cache reads and writes rise with the input price (the tier has no prices of its own)
        BigDecimal ratio = longContext && p.longContextInputPerMtok() != null && p.inputPerMtok().signum() > 0
                ? p.longContextInputPerMtok().divide(p.inputPerMtok(), 12, RoundingMode.HALF_EVEN) : BigDecimal.ONE;
        BigDecimal cachedPrice = p.cachedInputPerMtok() != null ? p.cachedInputPerMtok().multiply(ratio) : in;
        BigDecimal writePrice = p.cacheWritePerMtok() != null ? p.cacheWritePerMtok().multiply(ratio) : in;
        BigDecimal reasoningPrice = p.reasoningPerMtok() != null ? p.reasoningPerMtok() : out;
        BigDecimal tokens = in.multiply(BigDecimal.valueOf(uncached))
                .add(cachedPrice.multiply(BigDecimal.valueOf(cachedR)))
                .add(writePrice.multiply(BigDecimal.valueOf(writeR)))
                .add(out.multiply(BigDecimal.valueOf(output)))
                .add(reasoningPrice.multiply(BigDecimal.valueOf(reasoningR)));
        BigDecimal total = tokens.divide(MILLION);
        if (images > 0 && p.perImage() != null) {
            total = total.add(p.perImage().multiply(BigDecimal.valueOf(images)));
        }
        return total.setScale(10, RoundingMode.HALF_EVEN);
    }

    private static long clamp(long v, long max) {
        return Math.max(0, Math.min(v, Math.max(0, max)));
    }
}
