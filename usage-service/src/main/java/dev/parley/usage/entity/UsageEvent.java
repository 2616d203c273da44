package dev.parley.usage.entity;

import java.time.Instant;
import java.util.UUID;

/** One LLM call as the gateway reports it ({@code POST /internal/v1/usage-events}), validated. */
public record UsageEvent(UUID requestId, Instant occurredAt, UUID userId, UUID accessKeyId, UUID sessionId, UUID messageId,
                         String provider, String model, String deployment, long promptTokens, long completionTokens,
                         long cachedTokens, long reasoningTokens, long cacheWriteTokens, int images, int latencyMs, Integer ttftMs,
                         String status, boolean streamed) {

    public boolean failed() {
        return !"success".equals(status);
    }
}
