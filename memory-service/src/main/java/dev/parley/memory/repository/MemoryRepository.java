package dev.parley.memory.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import dev.parley.memory.entity.Memory;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/** Memories and their history of replaced contents: every query of the CRUD side (call inside a transaction). */
@ApplicationScoped
public class MemoryRepository implements PanacheRepositoryBase<Memory, UUID> {

    /** One earlier content of a memory. */
    public record HistoryEntry(String content, Instant replacedAt, String source, String reason) { }

    /** The memory locked until the transaction ends (a concurrent write waits). */
    public Memory lockedForUpdate(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    public void addHistory(Memory m, String source, String reason) {
        getEntityManager().createNativeQuery(
                        "insert into memory_history (memory_id, content, replaced_at, source, reason) values (?1, ?2, now(), ?3, ?4)")
                .setParameter(1, m.id).setParameter(2, m.content).setParameter(3, source).setParameter(4, reason).executeUpdate();
    }

    /** The earlier contents of a memory, oldest first. */
    @SuppressWarnings("unchecked")
    public List<HistoryEntry> history(UUID id) {
        List<Object[]> rows = getEntityManager().createNativeQuery(
                        "select content, replaced_at, source, reason from memory_history where memory_id = ?1 order by id")
                .setParameter(1, id).getResultList();
        List<HistoryEntry> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new HistoryEntry((String) r[0], Times.instant(r[1]), (String) r[2], (String) r[3]));
        }
        return out;
    }

    public int deleteOfUser(UUID userId, UUID id) {
        return (int) delete("id = ?1 and userId = ?2", id, userId);
    }

    public int deleteSession(UUID userId, UUID sessionId) {
        return (int) delete("sessionId = ?1 and userId = ?2", sessionId, userId);
    }

    /**
     * At most {@code limit} of the user's memories, newest change first, filtered (null: any), after the cursor
     * ({@code updatedAt}, {@code id}; null: from the start). {@code keyword} matches a keyword exactly or the content as
     * a substring, case-insensitively.
     */
    public List<Memory> page(UUID userId, UUID sessionId, String scope, String type, String keyword, Instant afterUpdated,
                             UUID afterId, int limit) {
        StringBuilder q = new StringBuilder("from Memory where userId = :user");
        Map<String, Object> p = new HashMap<>();
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
        if (afterUpdated != null) {
            q.append(" and (updatedAt < :cu or (updatedAt = :cu and id < :ci))");
            p.put("cu", afterUpdated);
            p.put("ci", afterId);
        }
        q.append(" order by updatedAt desc, id desc");
        var query = getEntityManager().createQuery(q.toString(), Memory.class);
        p.forEach(query::setParameter);
        return query.setMaxResults(limit).getResultList();
    }

    /**
     * Memories without a vector of {@code model} whose last failed embedding (if any) is older than
     * {@code failedBefore}: never tried first, then the oldest change.
     */
    public List<Memory> withoutEmbedding(String model, Instant failedBefore, int limit) {
        return getEntityManager().createQuery("from Memory where (embedding is null or embeddingModel <> ?1) "
                        + "and (embedFailedAt is null or embedFailedAt < ?2) order by embedFailedAt nulls first, updatedAt", Memory.class)
                .setParameter(1, model).setParameter(2, failedBefore).setMaxResults(limit).getResultList();
    }

    public void markEmbedFailed(UUID id) {
        getEntityManager().createNativeQuery("update memories set embed_failed_at = now() where id = ?1").setParameter(1, id).executeUpdate();
    }

    /** Stores the vector unless the content changed since it was read (then the next run embeds the new one). */
    public void storeEmbedding(UUID id, String content, byte[] vector, String model) {
        getEntityManager().createNativeQuery(
                        "update memories set embedding = ?1, embedding_model = ?2, embed_failed_at = null where id = ?3 and content = ?4")
                .setParameter(1, vector).setParameter(2, model).setParameter(3, id).setParameter(4, content).executeUpdate();
    }
}
