package dev.parley.gateway.rest;

import dev.parley.gateway.openai.OpenAiException;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.ratelimit.ApiRateLimiter;
import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * The platform's per-user limits on the {@code /v1} routes, which the platform's JAX-RS filter does not see (they are
 * Vert.x routes): a user's own bucket, chat completions and embeddings counted as generations, model lists as
 * requests; services calling for a user are not counted (the user was, where the call came in); a call refused for
 * want of a valid credential counts against its client address. Over a limit: OpenAI's 429
 * ({@code rate_limit_exceeded}, type {@code requests}, {@code Retry-After}). The gateway's own per-user
 * requests-and-tokens limits ({@code parley.gateway.rate-limits.*}) apply after these, as before.
 */
final class V1Limits {
    private static final String COUNTED = "parley.v1-anonymous-counted";
    private final ApiRateLimiter limiter;

    V1Limits(ApiRateLimiter limiter) {
        this.limiter = limiter;
    }

    /** Takes one token of {@code kind} for a signed-in user, or throws the 429. */
    void check(RoutingContext rc, Caller caller, ApiRateLimiter.Kind kind) {
        if (!limiter.enabled() || caller.isService()) {
            return;
        }
        try {
            limiter.check(caller, address(rc), kind);
        } catch (ApiException e) {
            throw rateLimited(e);
        }
    }

    /** {@link #check} for a request (not a generation), as a future. */
    Future<Caller> requests(RoutingContext rc, Caller caller) {
        try {
            check(rc, caller, ApiRateLimiter.Kind.REQUESTS);
            return Future.succeededFuture(caller);
        } catch (OpenAiException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * The failure of a call without a valid credential (missing or refused), or the 429 when its client address is
     * over its limit; other failures (auth-service unavailable) are answered as they are. Counted once per call,
     * however many of the route's handlers see the failure (the failure handler can see it more than once).
     */
    Throwable anonymous(RoutingContext rc, Throwable failure) {
        boolean noCredential = failure instanceof AuthenticationFailedException
                || failure instanceof OpenAiException o && o.status() == 401;
        if (!limiter.enabled() || !noCredential) {
            return failure;
        }
        if (rc.get(COUNTED) != null) {
            return failure;
        }
        rc.put(COUNTED, Boolean.TRUE);
        try {
            limiter.check(null, address(rc), ApiRateLimiter.Kind.REQUESTS);
            return failure;
        } catch (ApiException e) {
            return rateLimited(e);
        }
    }

    static OpenAiException rateLimited(ApiException e) {
        Object retry = e.details().get("retry_after_seconds");
        return new OpenAiException(429, "requests", "rate_limit_exceeded", null, e.getMessage(),
                retry instanceof Number n ? n.longValue() : 1L);
    }

    private static String address(RoutingContext rc) {
        return rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress();
    }
}
