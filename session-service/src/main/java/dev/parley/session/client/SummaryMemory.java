package dev.parley.session.client;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The {@code summary} memory memory-service wrote for a stretch of a conversation (its memory object, as it sent it). */
public record SummaryMemory(UUID id, String content, String scope, UUID sessionId, String type, List<String> keywords,
                            Float importance, String source, List<UUID> relatedMessageIds, Instant createdAt,
                            Instant updatedAt, Instant lastUsedAt, Instant expiresAt, Boolean embedded) { }
