package dev.parley.session.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.session.client.MemoryClient;
import dev.parley.session.config.SessionConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

/**
 * Exchanges owed to memory-service's AUTO extraction (an outbox): recorded in the transaction that stores the reply,
 * sent at once in the background, and otherwise every {@code extract-interval} with exponential backoff (up to 5
 * minutes between attempts) until memory-service takes them, for at most {@code extract-max-age}. So a memory-service
 * outage or restart delays extraction but loses nothing. Replicas take rows with {@code FOR UPDATE SKIP LOCKED}.
 */
@ApplicationScoped
public class MemoryExtractions {
    private static final Logger LOG = Logger.getLogger(MemoryExtractions.class);
    private static final TypeReference<List<Map<String, Object>>> EXCHANGE = new TypeReference<>() { };

    private final EntityManager em;
    private final MemoryClient memory;
    private final ObjectMapper mapper;
    private final Duration interval;
    private final Duration maxAge;
    private final MeterRegistry registry;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "memory-extractions");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final OutboxPass pass = new OutboxPass(LOG, "memory extractions");

    public MemoryExtractions(EntityManager em, MemoryClient memory, ObjectMapper mapper, SessionConfig config,
                             MeterRegistry registry) {
        this.em = em;
        this.memory = memory;
        this.mapper = mapper;
        this.interval = config.extractInterval();
        this.maxAge = config.extractMaxAge();
        this.registry = registry;
    }

    /** Inside the caller's transaction (the one storing the reply). */
    public void owe(UUID replyId, UUID userId, UUID sessionId, List<Map<String, Object>> exchange) {
        String json;
        try {
            json = mapper.writeValueAsString(exchange);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        em.createNativeQuery("insert into memory_extractions (reply_id, user_id, session_id, exchange) values (?1, ?2, ?3, ?4) "
                        + "on conflict do nothing")
                .setParameter(1, replyId).setParameter(2, userId).setParameter(3, sessionId).setParameter(4, json).executeUpdate();
    }

    /** After the owing transaction committed: deliver now rather than at the next scheduled run. */
    public void deliverSoon() {
        if (scheduled.compareAndSet(false, true)) {
            background.submit(() -> {
                scheduled.set(false);
                deliver();
            });
        }
    }

    @Scheduled(every = "${parley.session.extract-interval:PT2S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deliver() {
        pass.run(this::deliverOne);
    }

    @SuppressWarnings("unchecked")
    private boolean deliverOne() {
        List<Object[]> rows = em.createNativeQuery("""
                select reply_id, user_id, session_id, exchange, attempts, created_at from memory_extractions
                where next_attempt <= now() order by next_attempt limit 1 for update skip locked""").getResultList();
        if (rows.isEmpty()) {
            return false;
        }
        Object[] row = rows.get(0);
        UUID replyId = (UUID) row[0];
        int attempts = ((Number) row[4]).intValue();
        Instant created = row[5] instanceof Instant i ? i : ((java.sql.Timestamp) row[5]).toInstant();
        String error;
        try {
            List<Map<String, Object>> exchange = mapper.readValue((String) row[3], EXCHANGE);
            if (memory.extract((UUID) row[1], (UUID) row[2], exchange)) {
                em.createNativeQuery("delete from memory_extractions where reply_id = ?1").setParameter(1, replyId).executeUpdate();
                return true;
            }
            error = "memory-service did not take it";
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        if (Instant.now().isAfter(created.plus(maxAge))) {
            em.createNativeQuery("delete from memory_extractions where reply_id = ?1").setParameter(1, replyId).executeUpdate();
            registry.counter("parley_session_extractions_dropped_total").increment();
            LOG.warnf("memory extraction of message %s dropped after %d attempts over %s (%s)", replyId, attempts + 1, maxAge, error);
            return true;
        }
        long delayMs = Math.min(300_000, 1000L << Math.min(attempts, 12));
        em.createNativeQuery("update memory_extractions set attempts = attempts + 1, next_attempt = ?2, last_error = ?3 where reply_id = ?1")
                .setParameter(1, replyId).setParameter(2, Instant.now().plusMillis(delayMs)).setParameter(3, error).executeUpdate();
        if (attempts == 2) {
            pass.warn("memory-service has not taken the extraction of message %s after 3 attempts (%s); still retrying",
                    replyId, error);
        }
        return true;
    }

    @PreDestroy
    void stop() {
        background.shutdownNow();
    }
}
