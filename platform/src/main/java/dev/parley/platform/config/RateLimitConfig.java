package dev.parley.platform.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Protection on by default: every public API of every service limits each user, and each client address when nobody
 * is signed in. Generations (a model answers: chat turns, completions, embeddings) have their own, lower limit. A
 * limit of 0 switches that limit off. Limits are per replica (token buckets in memory): with N replicas behind a
 * load balancer a user gets at most N times the figure. Services calling each other are never limited here (the
 * user was counted where the call came in).
 */
@ConfigMapping(prefix = "parley.rate-limit")
public interface RateLimitConfig {

    /** All of it; off only for benchmarks and tests that measure something else. */
    @WithDefault("true")
    boolean enabled();

    /** Requests per minute per user on the public APIs, generations excepted (bursts up to the same number). */
    @WithDefault("600")
    int userRequestsPerMinute();

    /** Generations per minute per user (a chat turn, a completion, an embeddings call). */
    @WithDefault("60")
    int userGenerationsPerMinute();

    /**
     * Requests per minute per client address without a valid credential (register, login, refresh, and every
     * refused attempt). Behind a proxy the address comes from X-Forwarded-For of a trusted proxy only
     * ({@code quarkus.http.proxy.trusted-proxies}).
     */
    @WithDefault("120")
    int anonymousRequestsPerMinute();

    /**
     * Client addresses never limited (after X-Forwarded-For of a trusted proxy is applied): trusted batch jobs, or
     * loopback in the test profile, where the suites' own callers would otherwise share one bucket (limit tests send
     * an X-Forwarded-For of a documentation address instead).
     */
    java.util.Optional<java.util.List<String>> exemptAddresses();

    /** Buckets kept at most (users and addresses); full buckets are dropped first when it is reached. */
    @WithDefault("100000")
    int maxTrackedCallers();
}
