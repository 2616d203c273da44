package dev.parley.session.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * {@code session_events} and PostgreSQL's NOTIFY: the rows a session's event stream is made of, and the notifications
 * that tell every replica about them (or ask them to stop a generation). Call inside a transaction: a NOTIFY is
 * delivered when it commits.
 */
@ApplicationScoped
public class SessionEventRepository {
    /** An event row: its data as JSON text. */
    public record Row(long id, String type, String data) { }

    private final EntityManager em;

    public SessionEventRepository(EntityManager em) {
        this.em = em;
    }

    /** Stores the event and notifies {@code channel} of {@code <id>:<session id>}; the id. */
    public long insertAndNotify(String channel, UUID sessionId, String type, String json) {
        Number id = (Number) em.createNativeQuery(
                        "insert into session_events (session_id, type, data) values (?1, ?2, cast(?3 as jsonb)) returning id")
                .setParameter(1, sessionId).setParameter(2, type).setParameter(3, json).getSingleResult();
        notify(channel, id + ":" + sessionId);
        return id.longValue();
    }

    /** A session's events after {@code afterId}, oldest first, at most 1000. */
    @SuppressWarnings("unchecked")
    public List<Row> since(UUID sessionId, long afterId) {
        List<Object[]> rows = em.createNativeQuery("select id, type, cast(data as text) from session_events "
                        + "where session_id = ?1 and id > ?2 order by id limit 1000")
                .setParameter(1, sessionId).setParameter(2, afterId).getResultList();
        return rows.stream().map(r -> new Row(((Number) r[0]).longValue(), (String) r[1], (String) r[2])).toList();
    }

    public void notify(String channel, String payload) {
        em.createNativeQuery("select pg_notify(?1, ?2)").setParameter(1, channel).setParameter(2, payload).getSingleResult();
    }

    /** Drops a deleted session's events. */
    public void deleteSession(UUID sessionId) {
        em.createNativeQuery("delete from session_events where session_id = ?1").setParameter(1, sessionId).executeUpdate();
    }

    /** Drops events older than an hour (resumes go back that far at most). */
    public void prune() {
        em.createNativeQuery("delete from session_events where created_at < now() - interval '1 hour'").executeUpdate();
    }
}
