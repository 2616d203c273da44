package dev.parley.platform.ratelimit;

import java.util.Map;

import dev.parley.platform.auth.Caller;
import dev.parley.platform.config.RateLimitConfig;
import dev.parley.platform.error.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The limits of {@link RateLimitConfig} for one call: a user's own bucket (general or generation), or the client
 * address's when nobody is signed in. Services calling for a user are not limited here. A refusal is a 429
 * {@code RATE_LIMITED} with {@code Retry-After} (details: {@code limit_per_minute}, {@code scope},
 * {@code retry_after_seconds}); {@code /v1} routes translate it to OpenAI's shape.
 */
@ApplicationScoped
public class ApiRateLimiter {
    public enum Kind { REQUESTS, GENERATIONS }

    private final RateLimitConfig config;
    private final TokenBuckets buckets;
    private final Map<String, Counter> refused;
    private final java.util.Set<String> exempt;

    public ApiRateLimiter(RateLimitConfig config, MeterRegistry registry) {
        this.config = config;
        this.buckets = new TokenBuckets(config.maxTrackedCallers(), System::nanoTime);
        this.exempt = java.util.Set.copyOf(config.exemptAddresses().orElse(java.util.List.of()).stream()
                .map(ApiRateLimiter::normalize).toList());
        this.refused = Map.of(
                "user_requests", counter(registry, "user_requests"),
                "user_generations", counter(registry, "user_generations"),
                "anonymous", counter(registry, "anonymous"));
    }

    private static Counter counter(MeterRegistry registry, String scope) {
        return Counter.builder("parley_http_rate_limited").description("Requests refused by the per-user or per-address limits")
                .tag("scope", scope).register(registry);
    }

    /** {@code ::1} and {@code 0:0:0:0:0:0:0:1} are one address. */
    static String normalize(String address) {
        String a = address.trim();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        return a.equals("::1") ? "0:0:0:0:0:0:0:1" : a;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /**
     * Takes one token for this call, or throws the 429. {@code caller} empty (null): counted by {@code address}.
     */
    public void check(Caller caller, String address, Kind kind) {
        if (!config.enabled() || (caller != null && caller.isService())
                || (!exempt.isEmpty() && address != null && exempt.contains(normalize(address)))) {
            return;
        }
        String scope;
        String key;
        int limit;
        if (caller != null && caller.userId() != null) {
            boolean gen = kind == Kind.GENERATIONS;
            scope = gen ? "user_generations" : "user_requests";
            key = (gen ? "g:" : "u:") + caller.userId();
            limit = gen ? config.userGenerationsPerMinute() : config.userRequestsPerMinute();
        } else {
            scope = "anonymous";
            key = "a:" + (address == null ? "unknown" : address);
            limit = config.anonymousRequestsPerMinute();
        }
        if (limit <= 0) {
            return;
        }
        TokenBuckets.Decision d = buckets.take(key, limit);
        if (!d.allowed()) {
            refused.get(scope).increment();
            String what = switch (scope) {
                case "user_generations" -> limit + " generations a minute per user";
                case "user_requests" -> limit + " requests a minute per user";
                default -> limit + " requests a minute per client address without a valid credential";
            };
            throw new ApiException(429, "RATE_LIMITED", "Too many requests: the limit is " + what + ". Retry in "
                    + d.retryAfterSeconds() + " s.", Map.of("scope", scope, "limit_per_minute", limit,
                    "retry_after_seconds", d.retryAfterSeconds()));
        }
    }
}
