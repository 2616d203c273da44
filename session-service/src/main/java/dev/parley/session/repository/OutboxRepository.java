package dev.parley.session.repository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * The two outboxes towards memory-service, rows owed in the transaction of the change and delivered later:
 * {@code memory_extractions} (AUTO exchanges, by reply id) and {@code memory_deletions} (deleted sessions). Each due
 * row is taken with {@code FOR UPDATE SKIP LOCKED}, so replicas never send the same one at once. Call inside a
 * transaction.
 */
@ApplicationScoped
public class OutboxRepository {
    /** An owed extraction: the exchange as JSON text. */
    public record OwedExtraction(UUID replyId, UUID userId, UUID sessionId, String exchange, int attempts, Instant createdAt,
                                 String model) { }

    /** An owed deletion of a session's memories. */
    public record OwedDeletion(UUID sessionId, UUID userId, int attempts) { }

    private final EntityManager em;

    public OutboxRepository(EntityManager em) {
        this.em = em;
    }

    public void oweExtraction(UUID replyId, UUID userId, UUID sessionId, String exchangeJson, String model) {
        em.createNativeQuery("insert into memory_extractions (reply_id, user_id, session_id, exchange, model) values (?1, ?2, ?3, ?4, ?5) "
                        + "on conflict do nothing")
                .setParameter(1, replyId).setParameter(2, userId).setParameter(3, sessionId).setParameter(4, exchangeJson)
                .setParameter(5, model).executeUpdate();
    }

    /** The extraction due first, locked until the transaction ends. */
    @SuppressWarnings("unchecked")
    public Optional<OwedExtraction> nextExtraction() {
        List<Object[]> rows = em.createNativeQuery("""
                select reply_id, user_id, session_id, exchange, attempts, created_at, model from memory_extractions
                where next_attempt <= now() order by next_attempt limit 1 for update skip locked""").getResultList();
        return rows.stream().findFirst().map(r -> new OwedExtraction((UUID) r[0], (UUID) r[1], (UUID) r[2], (String) r[3],
                ((Number) r[4]).intValue(), r[5] instanceof Instant i ? i : ((java.sql.Timestamp) r[5]).toInstant(), (String) r[6]));
    }

    public void extractionDone(UUID replyId) {
        em.createNativeQuery("delete from memory_extractions where reply_id = ?1").setParameter(1, replyId).executeUpdate();
    }

    public void extractionFailed(UUID replyId, Instant nextAttempt, String error) {
        em.createNativeQuery("update memory_extractions set attempts = attempts + 1, next_attempt = ?2, last_error = ?3 where reply_id = ?1")
                .setParameter(1, replyId).setParameter(2, nextAttempt).setParameter(3, error).executeUpdate();
    }

    public void oweDeletion(UUID sessionId, UUID userId) {
        em.createNativeQuery("insert into memory_deletions (session_id, user_id) values (?1, ?2) on conflict do nothing")
                .setParameter(1, sessionId).setParameter(2, userId).executeUpdate();
    }

    /** The deletion due first, locked until the transaction ends. */
    @SuppressWarnings("unchecked")
    public Optional<OwedDeletion> nextDeletion() {
        List<Object[]> rows = em.createNativeQuery("""
                select session_id, user_id, attempts from memory_deletions where next_attempt <= now()
                order by next_attempt limit 1 for update skip locked""").getResultList();
        return rows.stream().findFirst().map(r -> new OwedDeletion((UUID) r[0], (UUID) r[1], ((Number) r[2]).intValue()));
    }

    public void deletionDone(UUID sessionId) {
        em.createNativeQuery("delete from memory_deletions where session_id = ?1").setParameter(1, sessionId).executeUpdate();
    }

    public void deletionFailed(UUID sessionId, Instant nextAttempt, String error) {
        em.createNativeQuery("update memory_deletions set attempts = attempts + 1, next_attempt = ?2, last_error = ?3 where session_id = ?1")
                .setParameter(1, sessionId).setParameter(2, nextAttempt).setParameter(3, error).executeUpdate();
    }
}
