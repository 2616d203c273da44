package dev.parley.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CallerKind;
import dev.parley.platform.config.RateLimitConfig;
import dev.parley.platform.ratelimit.ApiRateLimiter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * What the platform's per-user limit adds to each /v1 call, measured where it runs (one bucket take per call): a
 * timing note in place of a JMH benchmark, which the build does not carry. Printed, and bounded far above what it
 * measures so that a loaded machine cannot fail it.
 */
class V1LimitsCostTest {
    private static RateLimitConfig config() {
        return new RateLimitConfig() {
            public boolean enabled() { return true; }
            public int userRequestsPerMinute() { return Integer.MAX_VALUE; }
            public int userGenerationsPerMinute() { return Integer.MAX_VALUE; }
            public int anonymousRequestsPerMinute() { return 120; }
            public Optional<List<String>> exemptAddresses() { return Optional.empty(); }
            public int maxTrackedCallers() { return 100_000; }
        };
    }

    @Test
    void aCheckCostsWellUnderAMicrosecond() {
        ApiRateLimiter limiter = new ApiRateLimiter(config(), new SimpleMeterRegistry());
        Caller[] callers = new Caller[64]; // a few users at once, as a busy gateway sees them
        for (int i = 0; i < callers.length; i++) {
            callers[i] = new Caller(CallerKind.ACCESS_KEY, UUID.randomUUID(), "u" + i, null, Set.of("user"),
                    UUID.randomUUID(), List.of(), null);
        }
        int warmup = 2_000_000;
        for (int i = 0; i < warmup; i++) {
            limiter.check(callers[i & 63], "203.0.113.1", ApiRateLimiter.Kind.GENERATIONS);
        }
        int n = 5_000_000;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            limiter.check(callers[i & 63], "203.0.113.1", ApiRateLimiter.Kind.GENERATIONS);
        }
        double nsPerCheck = (System.nanoTime() - start) / (double) n;
        System.out.printf("ApiRateLimiter.check: %.0f ns per call (%d calls, 64 users, one thread)%n", nsPerCheck, n);
        assertTrue(nsPerCheck < 20_000, nsPerCheck + " ns per check");
    }
}
