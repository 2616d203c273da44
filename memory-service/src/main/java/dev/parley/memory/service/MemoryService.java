package dev.parley.memory.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.parley.memory.entity.Memory;
import dev.parley.memory.repository.MemoryRepository;
import dev.parley.memory.repository.OutcomeRepository;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.http.Uuids;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Memories as their owner writes and reads them: validation, CRUD, keyset pages, history of replaced contents, and
 * the embedding of each write (computed right away; when the model is unavailable the memory is stored without one and
 * the background job embeds it later, as it re-embeds everything after the embedding model changes).
 */
@ApplicationScoped
public class MemoryService {
    private static final Logger LOG = Logger.getLogger(MemoryService.class);
    public static final Set<String> TYPES = Set.of("fact", "preference", "instruction", "summary", "episode");
    public static final int MAX_CONTENT = 8000;
    public static final int MAX_KEYWORDS = 32;

    private final MemoryRepository repository;
    private final Embeddings embeddings;
    private final Retrieval retrieval;

    private final OutcomeRepository outcomes;

    public MemoryService(MemoryRepository repository, Embeddings embeddings, Retrieval retrieval, OutcomeRepository outcomes) {
        this.outcomes = outcomes;
        this.repository = repository;
        this.embeddings = embeddings;
        this.retrieval = retrieval;
    }

    /** What a write may carry (already validated). */
    public record Draft(String content, String scope, UUID sessionId, String type, List<String> keywords, Float importance,
                        List<UUID> relatedMessageIds, Instant expiresAt, boolean clearExpiry) {
        public Draft(String content, String scope, UUID sessionId, String type, List<String> keywords, Float importance,
                     List<UUID> relatedMessageIds, Instant expiresAt) {
            this(content, scope, sessionId, type, keywords, importance, relatedMessageIds, expiresAt, false);
        }
    }

    public record Page(List<Memory> memories, String nextCursor) { }

    public static ApiException invalid(String field, String message) {
        return new ApiException(400, "VALIDATION_FAILED", message, Map.of("fields", Map.of(field, message)));
    }

    public static ApiException notFound() {
        return ApiException.notFound("MEMORY_NOT_FOUND", "No such memory.");
    }

    /** Stores a new memory of the user, embedded now if the model answers. */
    public Memory create(UUID userId, Draft d, String source) {
        return create(userId, d, source, embeddings.embed(userId, d.content()));
    }

    /** Stores a new memory with the content's vector already computed (null: the background job embeds it later). */
    public Memory create(UUID userId, Draft d, String source, float[] vector) {
        Memory m = new Memory();
        m.id = Uuids.v7();
        m.userId = userId;
        m.scope = d.scope();
        m.sessionId = d.sessionId();
        m.type = d.type() != null ? d.type() : "fact";
        m.content = d.content();
        m.keywords = d.keywords() != null ? d.keywords().toArray(new String[0]) : new String[0];
        m.importance = d.importance() != null ? d.importance() : 0.5f;
        m.source = source;
        m.relatedMessageIds = d.relatedMessageIds() != null ? d.relatedMessageIds().toArray(new UUID[0]) : new UUID[0];
        m.expiresAt = d.expiresAt();
        m.createdAt = Instant.now();
        m.updatedAt = m.createdAt;
        m.embedding = vector == null ? null : Vectors.encode(vector);
        m.embeddingModel = vector == null ? null : embeddings.model();
        QuarkusTransaction.requiringNew().run(() -> repository.persist(m));
        retrieval.invalidate(userId);
        return m;
    }

    public Memory get(UUID userId, UUID id) {
        Memory m = QuarkusTransaction.requiringNew().call(() -> repository.findById(id));
        if (m == null || !m.userId.equals(userId)) {
            throw notFound();
        }
        return m;
    }

    /** Changes the given fields; a new content keeps the old one in the history and is embedded again. */
    public Memory update(UUID userId, UUID id, Draft d, String source, String reason) {
        float[] v = d.content() != null ? embeddings.embed(userId, d.content()) : null;
        Memory out = QuarkusTransaction.requiringNew().call(() -> {
            Memory m = repository.lockedForUpdate(id);
            if (m == null || !m.userId.equals(userId)) {
                throw notFound();
            }
            if (d.scope() != null || d.sessionId() != null) {
                // a session_id alone makes the memory that session's, as on create
                String scope = d.scope() != null ? d.scope() : d.sessionId() != null ? Memory.SESSION : m.scope;
                UUID session = Memory.USER.equals(scope) ? null : d.sessionId() != null ? d.sessionId() : m.sessionId;
                if (Memory.SESSION.equals(scope) && session == null) {
                    throw invalid("session_id", "A session-scoped memory names its session_id.");
                }
                m.scope = scope;
                m.sessionId = session;
            }
            if (d.content() != null && !d.content().equals(m.content)) {
                repository.addHistory(m, source, reason);
                m.content = d.content();
                m.embedding = v == null ? null : Vectors.encode(v);
                m.embeddingModel = v == null ? null : embeddings.model();
            }
            if (d.type() != null) {
                m.type = d.type();
            }
            if (d.keywords() != null) {
                m.keywords = d.keywords().toArray(new String[0]);
            }
            if (d.importance() != null) {
                m.importance = d.importance();
            }
            if (d.relatedMessageIds() != null) {
                m.relatedMessageIds = d.relatedMessageIds().toArray(new UUID[0]);
            }
            if (d.expiresAt() != null) {
                m.expiresAt = d.expiresAt();
            } else if (d.clearExpiry()) {
                m.expiresAt = null;
            }
            m.updatedAt = Instant.now();
            return m;
        });
        retrieval.invalidate(userId);
        return out;
    }

    /** The earlier contents of a memory, oldest first. */
    public List<Map<String, Object>> history(UUID userId, UUID id) {
        get(userId, id);
        List<Map<String, Object>> out = new ArrayList<>();
        for (MemoryRepository.HistoryEntry h : QuarkusTransaction.requiringNew().call(() -> repository.history(id))) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("content", h.content());
            m.put("replaced_at", h.replacedAt());
            m.put("source", h.source());
            m.put("reason", h.reason());
            out.add(m);
        }
        return out;
    }

    public void delete(UUID userId, UUID id) {
        int n = QuarkusTransaction.requiringNew().call(() -> repository.deleteOfUser(userId, id));
        if (n == 0) {
            throw notFound();
        }
        retrieval.invalidate(userId);
    }

    /** Drops a deleted session's memories and its extractions' outcomes (idempotent). */
    public int deleteSession(UUID userId, UUID sessionId) {
        int n = QuarkusTransaction.requiringNew().call(() -> {
            outcomes.deleteSession(userId, sessionId);
            return repository.deleteSession(userId, sessionId);
        });
        retrieval.invalidate(userId);
        return n;
    }

    /** A page of the user's memories, newest first, filtered. */
    public Page list(UUID userId, UUID sessionId, String scope, String type, String keyword, int limit, String cursor) {
        Instant afterUpdated = null;
        UUID afterId = null;
        if (cursor != null && !cursor.isBlank()) {
            try {
                String[] c = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
                afterUpdated = Instant.parse(c[0]);
                afterId = UUID.fromString(c[1]);
            } catch (RuntimeException e) {
                throw invalid("cursor", "cursor is not one this API gave out.");
            }
        }
        Instant cu = afterUpdated;
        UUID ci = afterId;
        List<Memory> rows = QuarkusTransaction.requiringNew().call(() ->
                repository.page(userId, sessionId, scope, type, keyword, cu, ci, limit + 1));
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Memory last = rows.get(limit - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString((last.updatedAt + "|" + last.id).getBytes(StandardCharsets.UTF_8));
        }
        return new Page(rows, next);
    }

    /**
     * Embeds memories that have no vector of the configured model (written while the model was unavailable, or
     * embedded by a model no longer configured), a batch per run, oldest first.
     */
    @Scheduled(every = "${parley.memory.embed-interval:30s}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void embedMissing() {
        String model = embeddings.model();
        List<Memory> batch = QuarkusTransaction.requiringNew().call(() ->
                repository.withoutEmbedding(model, Instant.now().minusSeconds(300), 64));
        int failed = 0;
        for (Memory m : batch) {
            float[] v = embeddings.embed(m.userId, m.content);
            if (v == null) {
                // this memory waits five minutes; the others of the batch (maybe other users') still get their turn
                failed++;
                QuarkusTransaction.requiringNew().run(() -> repository.markEmbedFailed(m.id));
                continue;
            }
            QuarkusTransaction.requiringNew().run(() -> repository.storeEmbedding(m.id, m.content, Vectors.encode(v), model));
            retrieval.invalidate(m.userId);
        }
        if (failed > 0) {
            LOG.debugf("embedding model %s failed for %d of %d memories; they are retried in five minutes", model, failed, batch.size());
        }
    }
}
