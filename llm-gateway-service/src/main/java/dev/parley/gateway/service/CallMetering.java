package dev.parley.gateway.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.service.ratelimit.RateLimiter;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Where a finished {@code /v1} call is accounted for: its usage event (the outbox), the metrics, the settlement of
 * its rate-limit reservation, the request log. Each call gets its own {@link CallMeter}.
 */
@ApplicationScoped
public class CallMetering {
    private final UsageOutbox outbox;
    private final GatewayMetrics metrics;
    private final RateLimiter limiter;
    private final RequestLog requestLog;

    public CallMetering(UsageOutbox outbox, GatewayMetrics metrics, RateLimiter limiter, RequestLog requestLog) {
        this.outbox = outbox;
        this.metrics = metrics;
        this.limiter = limiter;
        this.requestLog = requestLog;
    }

    /** The meter of one call, from its first attempt to its usage event. */
    CallMeter start(CallContext call, ObjectNode request, boolean embeddings, boolean stream) {
        return new CallMeter(outbox, metrics, limiter, requestLog, call, request, embeddings, stream);
    }
}
