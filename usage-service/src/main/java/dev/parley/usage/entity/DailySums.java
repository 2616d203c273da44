package dev.parley.usage.entity;

import java.math.BigDecimal;

/**
 * Sums over usage events: what a daily rollup row holds ({@code usage_daily}, {@code usage_daily_all}), what ingest
 * adds to one, and what a report line adds up. Latency is kept as a sum and as counts per latency bucket, for the
 * mean and the p95. Mutable: an accumulator.
 */
public final class DailySums {
    /**
     * Upper bounds (ms) of the latency buckets kept in the rollups; the last bucket is everything above. (The V1
     * migration's comment calls this {@code UsageRollups.LATENCY_BOUNDS_MS}.)
     */
    public static final int[] LATENCY_BOUNDS_MS = {100, 250, 500, 1000, 2000, 4000, 8000, 15000, 30000, 60000, 120000};
    public static final int BUCKETS = LATENCY_BOUNDS_MS.length + 1;

    public long requests;
    public long errors;
    public long promptTokens;
    public long completionTokens;
    public long cachedTokens;
    public long reasoningTokens;
    public long cacheWriteTokens;
    public long images;
    public BigDecimal cost = BigDecimal.ZERO;
    public long unpriced;
    public long latencySum;
    public final long[] buckets = new long[BUCKETS];

    /** The bucket of a latency: the first whose upper bound it does not exceed. */
    public static int bucket(int latencyMs) {
        for (int i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
            if (latencyMs <= LATENCY_BOUNDS_MS[i]) {
                return i;
            }
        }
        return LATENCY_BOUNDS_MS.length;
    }

    /** One event, with its cost (null: unpriced, counted as such and never as zero). */
    public void add(UsageEvent e, BigDecimal c) {
        requests++;
        errors += e.failed() ? 1 : 0;
        promptTokens += e.promptTokens();
        completionTokens += e.completionTokens();
        cachedTokens += e.cachedTokens();
        reasoningTokens += e.reasoningTokens();
        cacheWriteTokens += e.cacheWriteTokens();
        images += e.images();
        if (c == null) {
            unpriced++;
        } else {
            cost = cost.add(c);
        }
        latencySum += e.latencyMs();
        buckets[bucket(e.latencyMs())]++;
    }

    /** Another line's sums. */
    public void add(DailySums o) {
        requests += o.requests;
        errors += o.errors;
        promptTokens += o.promptTokens;
        completionTokens += o.completionTokens;
        cachedTokens += o.cachedTokens;
        reasoningTokens += o.reasoningTokens;
        cacheWriteTokens += o.cacheWriteTokens;
        images += o.images;
        cost = cost.add(o.cost);
        unpriced += o.unpriced;
        latencySum += o.latencySum;
        for (int i = 0; i < BUCKETS; i++) {
            buckets[i] += o.buckets[i];
        }
    }

    /** The 95th percentile latency from the buckets: the bucket's upper bound, interpolated within it. */
    public Long p95() {
        if (requests == 0) {
            return null;
        }
        double target = requests * 0.95;
        long seen = 0;
        for (int i = 0; i < buckets.length; i++) {
            if (seen + buckets[i] >= target && buckets[i] > 0) {
                long lo = i == 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
                long hi = i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i] : lo * 2;
                return Math.round(lo + (hi - lo) * ((target - seen) / buckets[i]));
            }
            seen += buckets[i];
        }
        return null;
    }
}
