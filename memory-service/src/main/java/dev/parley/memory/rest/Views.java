package dev.parley.memory.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.parley.memory.entity.Memory;

/** The API's JSON objects (snake_case on the wire). */
public final class Views {
    private Views() { }

    public record MemoryView(UUID id, String content, String scope, UUID sessionId, String type, List<String> keywords,
                             float importance, String source, List<UUID> relatedMessageIds, Instant createdAt,
                             Instant updatedAt, Instant lastUsedAt, Instant expiresAt, boolean embedded) {
        public static MemoryView of(Memory m) {
            return new MemoryView(m.id, m.content, m.scope, m.sessionId, m.type, List.of(m.keywords), m.importance, m.source,
                    List.of(m.relatedMessageIds), m.createdAt, m.updatedAt, m.lastUsedAt, m.expiresAt, m.embedding != null);
        }
    }

    public record Page<T>(List<T> data, String nextCursor) { }

    /** A ranked memory: its score and the two query-dependent signals in it (semantic similarity, full-text rank). */
    public record SearchHit(MemoryView memory, double score, double semantic, double text) { }

    public record SearchResult(List<SearchHit> data, boolean degraded) { }
}
