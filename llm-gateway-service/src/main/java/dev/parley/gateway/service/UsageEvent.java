package dev.parley.gateway.service;

import java.time.Instant;
import java.util.UUID;

/**
 * One LLM call, as usage-service's {@code POST /internal/v1/usage-events} contract defines it (snake_case on the
 * wire). {@code request_id} is the gateway's own id of the call (not the client's X-Request-Id, which a client may
 * reuse), so usage-service's idempotency never merges two calls.
 */
public record UsageEvent(UUID requestId, Instant occurredAt, UUID userId, UUID accessKeyId, UUID sessionId,
                         UUID messageId, String provider, String model, String deployment, long promptTokens,
                         long completionTokens, long cachedTokens, long reasoningTokens, long cacheWriteTokens,
                         int images, long latencyMs, Long ttftMs, String status, boolean streamed) {

    public static final String SUCCESS = "success";
    public static final String ERROR = "error";
    public static final String CANCELLED = "cancelled";
}
