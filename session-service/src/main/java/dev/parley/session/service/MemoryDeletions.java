package dev.parley.session.service;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.parley.session.client.MemoryClient;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

/**
 * memory-service deletions owed for deleted sessions: written in the deleting transaction, delivered every few
 * seconds with exponential backoff from {@code memory-deletion-interval} (up to 10 minutes between attempts) until memory-service confirms. Replicas take
 * rows with {@code FOR UPDATE SKIP LOCKED}, so each deletion is sent by one of them at a time.
 */
@ApplicationScoped
public class MemoryDeletions {
    private static final Logger LOG = Logger.getLogger(MemoryDeletions.class);

    private final EntityManager em;
    private final MemoryClient memory;
    private final long baseDelayMs;

    public MemoryDeletions(EntityManager em, MemoryClient memory, dev.parley.session.config.SessionConfig config) {
        this.em = em;
        this.memory = memory;
        this.baseDelayMs = config.memoryDeletionInterval().toMillis();
    }

    /** Inside the caller's transaction. */
    public void owe(UUID sessionId, UUID userId) {
        em.createNativeQuery("insert into memory_deletions (session_id, user_id) values (?1, ?2) on conflict do nothing")
                .setParameter(1, sessionId).setParameter(2, userId).executeUpdate();
    }

    @Scheduled(every = "${parley.session.memory-deletion-interval:PT5S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deliver() {
        pass.run(this::deliverOne);
    }

    private final OutboxPass pass = new OutboxPass(LOG, "memory deletions");

    @SuppressWarnings("unchecked")
    private boolean deliverOne() {
        List<Object[]> rows = em.createNativeQuery("""
                select session_id, user_id, attempts from memory_deletions where next_attempt <= now()
                order by next_attempt limit 1 for update skip locked""").getResultList();
        if (rows.isEmpty()) {
            return false;
        }
        UUID sessionId = (UUID) rows.get(0)[0];
        UUID userId = (UUID) rows.get(0)[1];
        int attempts = ((Number) rows.get(0)[2]).intValue();
        String error;
        try {
            if (memory.deleteSession(sessionId, userId)) {
                em.createNativeQuery("delete from memory_deletions where session_id = ?1").setParameter(1, sessionId).executeUpdate();
                return true;
            }
            error = "memory-service did not confirm";
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        long delayMs = Math.min(600_000, baseDelayMs << Math.min(attempts, 12));
        em.createNativeQuery("update memory_deletions set attempts = attempts + 1, next_attempt = ?2, last_error = ?3 where session_id = ?1")
                .setParameter(1, sessionId).setParameter(2, Instant.now().plusMillis(delayMs)).setParameter(3, error).executeUpdate();
        if (attempts == 5) {
            LOG.warnf("memory-service has not confirmed deleting the memories of session %s after 6 attempts (%s); still retrying", sessionId, error);
        }
        return true;
    }
}
