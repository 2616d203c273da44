package dev.parley.session.service;

import java.time.Instant;
import java.util.UUID;

import dev.parley.session.client.MemoryClient;
import dev.parley.session.repository.OutboxRepository;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * memory-service deletions owed for deleted sessions: written in the deleting transaction, delivered every few
 * seconds with exponential backoff from {@code memory-deletion-interval} (up to 10 minutes between attempts) until memory-service confirms. Replicas take
 * rows with {@code FOR UPDATE SKIP LOCKED}, so each deletion is sent by one of them at a time.
 */
@ApplicationScoped
public class MemoryDeletions {
    private static final Logger LOG = Logger.getLogger(MemoryDeletions.class);

    private final OutboxRepository outbox;
    private final MemoryClient memory;
    private final long baseDelayMs;

    public MemoryDeletions(OutboxRepository outbox, MemoryClient memory, dev.parley.session.config.SessionConfig config) {
        this.outbox = outbox;
        this.memory = memory;
        this.baseDelayMs = config.memoryDeletionInterval().toMillis();
    }

    /** Inside the caller's transaction. */
    public void owe(UUID sessionId, UUID userId) {
        outbox.oweDeletion(sessionId, userId);
    }

    @Scheduled(every = "${parley.session.memory-deletion-interval:PT5S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deliver() {
        pass.run(this::deliverOne);
    }

    private final OutboxPass pass = new OutboxPass(LOG, "memory deletions");

    private boolean deliverOne() {
        var owed = outbox.nextDeletion();
        if (owed.isEmpty()) {
            return false;
        }
        OutboxRepository.OwedDeletion row = owed.get();
        String error;
        try {
            if (memory.deleteSession(row.sessionId(), row.userId())) {
                outbox.deletionDone(row.sessionId());
                return true;
            }
            error = "memory-service did not confirm";
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        long delayMs = Math.min(600_000, baseDelayMs << Math.min(row.attempts(), 12));
        outbox.deletionFailed(row.sessionId(), Instant.now().plusMillis(delayMs), error);
        if (row.attempts() == 5) {
            LOG.warnf("memory-service has not confirmed deleting the memories of session %s after 6 attempts (%s); still retrying",
                    row.sessionId(), error);
        }
        return true;
    }
}
