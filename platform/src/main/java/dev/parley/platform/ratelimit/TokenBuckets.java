package dev.parley.platform.ratelimit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One token bucket per key, each holding up to {@code perMinute} tokens and refilled continuously at
 * {@code perMinute / 60} a second: a caller can burst to the minute's figure, then goes at the sustained rate.
 * Bounded: past {@code maxKeys} the buckets that are full again (idle callers) are dropped first.
 */
final class TokenBuckets {
    /** The outcome of one attempt: allowed, or how long until one token is back. */
    record Decision(boolean allowed, long retryAfterSeconds, int remaining) { }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final LongSupplier nanos;

    TokenBuckets(int maxKeys, LongSupplier nanos) {
        this.maxKeys = Math.max(16, maxKeys);
        this.nanos = nanos;
    }

    Decision take(String key, int perMinute) {
        long now = nanos.getAsLong();
        double perNano = perMinute / 60e9;
        Bucket b = buckets.get(key);
        if (b == null) {
            if (buckets.size() >= maxKeys) {
                evictFull(now, perNano, perMinute);
            }
            b = buckets.computeIfAbsent(key, k -> new Bucket(perMinute, now));
        }
        synchronized (b) {
            b.tokens = Math.min(perMinute, b.tokens + (now - b.at) * perNano);
            b.at = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return new Decision(true, 0, (int) b.tokens);
            }
            long wait = (long) Math.ceil((1 - b.tokens) / perNano / 1e9);
            return new Decision(false, Math.max(1, wait), 0);
        }
    }

    int size() {
        return buckets.size();
    }

    private void evictFull(long now, double perNano, int perMinute) {
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
            Bucket b = it.next().getValue();
            synchronized (b) {
                if (b.tokens + (now - b.at) * perNano >= perMinute) {
                    it.remove();
                }
            }
        }
        if (buckets.size() >= maxKeys) {
            buckets.clear(); // every caller busy at once: forgetting them is safer than growing without bound
        }
    }
}
