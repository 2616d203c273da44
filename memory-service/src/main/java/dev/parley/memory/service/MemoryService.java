package dev.parley.memory.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.memory.entity.Memory;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.http.Uuids;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
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

    private final EntityManager em;
    private final Embeddings embeddings;
    private final Retrieval retrieval;

    public MemoryService(EntityManager em, Embeddings embeddings, Retrieval retrieval) {
        this.em = em;
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

    /** A draft from a create body; every field checked. */
    /** The fields a memory is written with (create and PATCH). */
    static final java.util.Set<String> FIELDS = java.util.Set.of("content", "scope", "session_id", "type", "keywords",
            "importance", "related_message_ids", "expires_at");

    public static Draft draft(JsonNode body, boolean partial) {
        if (body == null || !body.isObject()) {
            throw invalid("body", "Send a JSON object.");
        }
        dev.parley.platform.error.JsonFields.requireKnown(body, FIELDS, "");
        String content = null;
        if (body.has("content") || !partial) {
            JsonNode c = body.get("content");
            if (c == null || !c.isTextual() || c.asText().isBlank()) {
                throw invalid("content", "content is required: the text to remember.");
            }
            if (c.asText().length() > MAX_CONTENT) {
                throw invalid("content", "content is longer than " + MAX_CONTENT + " characters.");
            }
            content = c.asText().strip();
        }
        String scope = text(body, "scope", partial ? null : null);
        if (scope != null && !scope.equals(Memory.USER) && !scope.equals(Memory.SESSION)) {
            throw invalid("scope", "scope is user or session.");
        }
        UUID sessionId = null;
        if (body.hasNonNull("session_id")) {
            sessionId = uuid(body.get("session_id"), "session_id");
        }
        if (!partial) {
            if (scope == null) {
                scope = sessionId != null ? Memory.SESSION : Memory.USER;
            }
            if (Memory.SESSION.equals(scope) && sessionId == null) {
                throw invalid("session_id", "A session-scoped memory names its session_id.");
            }
            if (Memory.USER.equals(scope) && sessionId != null) {
                throw invalid("session_id", "A user-scoped memory has no session_id.");
            }
        }
        String type = text(body, "type", null);
        if (type != null) {
            type = type.toLowerCase(Locale.ROOT);
            if (!TYPES.contains(type)) {
                throw invalid("type", "type is one of " + String.join(", ", TYPES.stream().sorted().toList()) + ".");
            }
        }
        List<String> keywords = null;
        if (body.has("keywords")) {
            JsonNode k = body.get("keywords");
            if (!k.isArray() || k.size() > MAX_KEYWORDS) {
                throw invalid("keywords", "keywords is an array of at most " + MAX_KEYWORDS + " strings.");
            }
            Set<String> set = new LinkedHashSet<>();
            for (JsonNode x : k) {
                if (!x.isTextual() || x.asText().isBlank() || x.asText().length() > 100) {
                    throw invalid("keywords", "each keyword is a non-empty string of at most 100 characters.");
                }
                set.add(x.asText().strip().toLowerCase(Locale.ROOT));
            }
            keywords = new ArrayList<>(set);
        }
        Float importance = null;
        if (body.has("importance")) {
            JsonNode i = body.get("importance");
            if (!i.isNumber() || i.asDouble() < 0 || i.asDouble() > 1) {
                throw invalid("importance", "importance is a number from 0 to 1.");
            }
            importance = (float) i.asDouble();
        }
        List<UUID> related = null;
        if (body.has("related_message_ids")) {
            JsonNode r = body.get("related_message_ids");
            if (!r.isArray() || r.size() > 100) {
                throw invalid("related_message_ids", "related_message_ids is an array of at most 100 message ids.");
            }
            related = new ArrayList<>();
            for (JsonNode x : r) {
                related.add(uuid(x, "related_message_ids"));
            }
        }
        Instant expiresAt = null;
        if (body.hasNonNull("expires_at")) {
            try {
                expiresAt = Instant.parse(body.get("expires_at").asText());
            } catch (RuntimeException e) {
                throw invalid("expires_at", "expires_at is an ISO-8601 instant such as 2027-01-01T00:00:00Z.");
            }
        }
        boolean clearExpiry = partial && body.has("expires_at") && body.get("expires_at").isNull();
        return new Draft(content, scope, sessionId, type, keywords, importance, related, expiresAt, clearExpiry);
    }

    private static String text(JsonNode body, String field, String dflt) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw invalid(field, field + " must be a string.");
        }
        return n.asText();
    }

    private static UUID uuid(JsonNode n, String field) {
        try {
            return UUID.fromString(n.asText());
        } catch (IllegalArgumentException e) {
            throw invalid(field, field + " must be a UUID.");
        }
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
        QuarkusTransaction.requiringNew().run(() -> em.persist(m));
        retrieval.invalidate(userId);
        return m;
    }

    public Memory get(UUID userId, UUID id) {
        Memory m = QuarkusTransaction.requiringNew().call(() -> em.find(Memory.class, id));
        if (m == null || !m.userId.equals(userId)) {
            throw notFound();
        }
        return m;
    }

    /** Changes the given fields; a new content keeps the old one in the history and is embedded again. */
    public Memory update(UUID userId, UUID id, Draft d, String source, String reason) {
        float[] v = d.content() != null ? embeddings.embed(userId, d.content()) : null;
        Memory out = QuarkusTransaction.requiringNew().call(() -> {
            Memory m = em.find(Memory.class, id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
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
                history(m, source, reason);
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

    void history(Memory m, String source, String reason) {
        em.createNativeQuery("insert into memory_history (memory_id, content, replaced_at, source, reason) values (?1, ?2, now(), ?3, ?4)")
                .setParameter(1, m.id).setParameter(2, m.content).setParameter(3, source).setParameter(4, reason).executeUpdate();
    }

    /** The earlier contents of a memory, oldest first. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> history(UUID userId, UUID id) {
        get(userId, id);
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "select content, replaced_at, source, reason from memory_history where memory_id = ?1 order by id")
                .setParameter(1, id).getResultList());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object[] r : rows) {
            Map<String, Object> h = new java.util.LinkedHashMap<>();
            h.put("content", r[0]);
            h.put("replaced_at", r[1] instanceof java.time.OffsetDateTime o ? o.toInstant()
                    : r[1] instanceof java.sql.Timestamp t ? t.toInstant() : r[1]);
            h.put("source", r[2]);
            h.put("reason", r[3]);
            out.add(h);
        }
        return out;
    }

    public void delete(UUID userId, UUID id) {
        int n = QuarkusTransaction.requiringNew().call(() -> em.createQuery("delete from Memory where id = ?1 and userId = ?2")
                .setParameter(1, id).setParameter(2, userId).executeUpdate());
        if (n == 0) {
            throw notFound();
        }
        retrieval.invalidate(userId);
    }

    /** Drops a deleted session's memories (idempotent). */
    public int deleteSession(UUID userId, UUID sessionId) {
        int n = QuarkusTransaction.requiringNew().call(() -> em.createQuery("delete from Memory where sessionId = ?1 and userId = ?2")
                .setParameter(1, sessionId).setParameter(2, userId).executeUpdate());
        retrieval.invalidate(userId);
        return n;
    }

    /** A page of the user's memories, newest first, filtered. */
    public Page list(UUID userId, UUID sessionId, String scope, String type, String keyword, int limit, String cursor) {
        StringBuilder q = new StringBuilder("from Memory where userId = :user");
        Map<String, Object> p = new java.util.HashMap<>();
        p.put("user", userId);
        if (sessionId != null) {
            q.append(" and sessionId = :session");
            p.put("session", sessionId);
        }
        if (scope != null) {
            q.append(" and scope = :scope");
            p.put("scope", scope);
        }
        if (type != null) {
            q.append(" and type = :type");
            p.put("type", type);
        }
        if (keyword != null) {
            q.append(" and (array_contains(keywords, :kw) or lower(content) like :like escape '\\')");
            String kw = keyword.toLowerCase(Locale.ROOT);
            p.put("kw", kw);
            p.put("like", "%" + kw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        if (cursor != null && !cursor.isBlank()) {
            try {
                String[] c = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
                p.put("cu", Instant.parse(c[0]));
                p.put("ci", UUID.fromString(c[1]));
            } catch (RuntimeException e) {
                throw invalid("cursor", "cursor is not one this API gave out.");
            }
            q.append(" and (updatedAt < :cu or (updatedAt = :cu and id < :ci))");
        }
        q.append(" order by updatedAt desc, id desc");
        List<Memory> rows = QuarkusTransaction.requiringNew().call(() -> {
            var query = em.createQuery(q.toString(), Memory.class);
            p.forEach(query::setParameter);
            return query.setMaxResults(limit + 1).getResultList();
        });
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
        List<Memory> batch = QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                        "from Memory where (embedding is null or embeddingModel <> ?1) "
                                + "and (embedFailedAt is null or embedFailedAt < ?2) order by embedFailedAt nulls first, updatedAt",
                        Memory.class)
                .setParameter(1, model).setParameter(2, Instant.now().minusSeconds(300)).setMaxResults(64).getResultList());
        int failed = 0;
        for (Memory m : batch) {
            float[] v = embeddings.embed(m.userId, m.content);
            if (v == null) {
                // this memory waits five minutes; the others of the batch (maybe other users') still get their turn
                failed++;
                QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update memories set embed_failed_at = now() where id = ?1")
                        .setParameter(1, m.id).executeUpdate());
                continue;
            }
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                            "update memories set embedding = ?1, embedding_model = ?2, embed_failed_at = null where id = ?3 and content = ?4")
                    .setParameter(1, Vectors.encode(v)).setParameter(2, model).setParameter(3, m.id).setParameter(4, m.content)
                    .executeUpdate());
            retrieval.invalidate(m.userId);
        }
        if (failed > 0) {
            LOG.debugf("embedding model %s failed for %d of %d memories; they are retried in five minutes", model, failed, batch.size());
        }
    }
}
