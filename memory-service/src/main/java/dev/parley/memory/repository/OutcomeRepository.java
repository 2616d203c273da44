package dev.parley.memory.repository;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.hibernate.query.NativeQuery;

/**
 * {@code extraction_outcomes}: one row per extraction handed over (by the reply's message id), written when it is
 * queued or skipped and again when it is done or failed. Call inside a transaction.
 */
@ApplicationScoped
public class OutcomeRepository {
    /** One outcome as the API shows it. */
    public record Outcome(UUID messageId, UUID sessionId, String status, String reason, String model, int attempts, int added,
                          int updated, java.time.Instant updatedAt) {
        /** {@code {"status","reason"?,"model"?,"attempts","added","updated","updated_at"}}. */
        public Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", status);
            if (reason != null) {
                m.put("reason", reason);
            }
            if (model != null) {
                m.put("model", model);
            }
            m.put("attempts", attempts);
            m.put("added", added);
            m.put("updated", updated);
            m.put("updated_at", updatedAt);
            return m;
        }
    }

    private final EntityManager em;

    public OutcomeRepository(EntityManager em) {
        this.em = em;
    }

    /** Records the hand-over (queued or skipped); a repeated hand-over of the same reply starts it again. */
    public void record(UUID messageId, UUID userId, UUID sessionId, String status, String reason, String model) {
        em.createNativeQuery("""
                        insert into extraction_outcomes (message_id, user_id, session_id, status, reason, model)
                        values (?1, ?2, ?3, ?4, ?5, ?6)
                        on conflict (message_id) do update set status = excluded.status, reason = excluded.reason,
                            model = excluded.model, attempts = 0, added = 0, updated = 0, updated_at = now()
                        where extraction_outcomes.user_id = excluded.user_id""")
                .unwrap(NativeQuery.class)
                // typed: a null session, reason or model is bound as a null of the column's type
                .setParameter(1, messageId, UUID.class).setParameter(2, userId, UUID.class).setParameter(3, sessionId, UUID.class)
                .setParameter(4, status, String.class).setParameter(5, reason, String.class).setParameter(6, model, String.class)
                .executeUpdate();
    }

    /** The worker's result: done (with the decisions' counts) or failed (why). */
    public void finish(UUID messageId, String status, String reason, int attempts, int added, int updated) {
        em.createNativeQuery("update extraction_outcomes set status = ?2, reason = ?3, attempts = ?4, added = ?5, updated = ?6, "
                        + "updated_at = now() where message_id = ?1")
                .unwrap(NativeQuery.class)
                .setParameter(1, messageId).setParameter(3, reason, String.class).setParameter(2, status).setParameter(4, attempts)
                .setParameter(5, added).setParameter(6, updated).executeUpdate();
    }

    public Optional<Outcome> of(UUID userId, UUID messageId) {
        return rows("where user_id = ?1 and message_id = ?2", userId, messageId).stream().findFirst();
    }

    /** The user's outcomes, oldest first (an export). */
    public List<Outcome> ofUser(UUID userId) {
        return rows("where user_id = ?1 order by created_at, message_id", userId, null);
    }

    public void deleteSession(UUID userId, UUID sessionId) {
        em.createNativeQuery("delete from extraction_outcomes where user_id = ?1 and session_id = ?2")
                .setParameter(1, userId).setParameter(2, sessionId).executeUpdate();
    }

    public void deleteUser(UUID userId) {
        em.createNativeQuery("delete from extraction_outcomes where user_id = ?1").setParameter(1, userId).executeUpdate();
    }

    @SuppressWarnings("unchecked")
    private List<Outcome> rows(String where, UUID userId, UUID messageId) {
        var q = em.createNativeQuery("select message_id, session_id, status, reason, model, attempts, added, updated, updated_at "
                + "from extraction_outcomes " + where).setParameter(1, userId);
        if (messageId != null) {
            q.setParameter(2, messageId);
        }
        List<Object[]> rows = q.getResultList();
        return rows.stream().map(r -> new Outcome((UUID) r[0], (UUID) r[1], (String) r[2], (String) r[3], (String) r[4],
                ((Number) r[5]).intValue(), ((Number) r[6]).intValue(), ((Number) r[7]).intValue(), Times.instant(r[8]))).toList();
    }
}
