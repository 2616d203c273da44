package dev.parley.gateway.service;

import java.util.UUID;

import dev.parley.platform.auth.Caller;

/** Who made a /v1 call and for which session turn; {@code callId} is the call's own id (usage event request id). */
public record CallContext(UUID callId, Caller caller, UUID sessionId, UUID messageId, long startNanos,
                          io.vertx.core.buffer.Buffer rawBody, IdempotencyStore.Claim claim,
                          dev.parley.gateway.service.ratelimit.RateLimiter.Permit permit) {

    public UUID userId() {
        return caller.userId();
    }
}
