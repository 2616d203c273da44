package dev.parley.usage.entity;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One stored LLM call as the per-message report shows it ({@code GET /api/v1/usage/messages/{id}}); cost null = unpriced. */
@RegisterForReflection
public record MessageCall(UUID requestId, Instant occurredAt, String provider, String model, String deployment,
                          long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens,
                          long cacheWriteTokens, int images, int latencyMs, Integer ttftMs, String status, boolean streamed,
                          BigDecimal costUsd, UUID sessionId) { }
