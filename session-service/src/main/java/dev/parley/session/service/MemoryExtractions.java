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
import dev.parley.session.entity.Message;
import dev.parley.session.repository.OutboxRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Whether a reply's exchange goes to memory-service's AUTO extraction ({@link #decide}, said in the reply's
 * {@code context.memory_extraction}), what became of it ({@link #current}, asked from memory-service, which records each
 * outcome), and the exchanges owed to it (an outbox): recorded in the transaction that stores the reply,
 * sent at once in the background, and otherwise every {@code extract-interval} with exponential backoff (up to 5
 * minutes between attempts) until memory-service takes them, for at most {@code extract-max-age}. So a memory-service
 * outage or restart delays extraction but loses nothing. Replicas take rows with {@code FOR UPDATE SKIP LOCKED}.
 */
@ApplicationScoped
public class MemoryExtractions {
    private static final Logger LOG = Logger.getLogger(MemoryExtractions.class);
    private static final TypeReference<List<Map<String, Object>>> EXCHANGE = new TypeReference<>() { };
    /** The reply's {@code context} entry that says whether extraction was queued or why it did not run. */
    public static final String CONTEXT_KEY = "memory_extraction";
    public static final String QUEUED = "queued";
    public static final String SKIPPED = "skipped";

    private final OutboxRepository outbox;
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

    public MemoryExtractions(OutboxRepository outbox, MemoryClient memory, ObjectMapper mapper, SessionConfig config,
                             MeterRegistry registry) {
        this.outbox = outbox;
        this.memory = memory;
        this.mapper = mapper;
        this.interval = config.extractInterval();
        this.maxAge = config.extractMaxAge();
        this.registry = registry;
    }

    /**
     * Whether the exchange of a reply is extracted: {@code {"status":"queued","model"?}} or {@code {"status":"skipped",
     * "reason"}} with reason {@code memory_mode_not_auto}, {@code reply_not_complete} or {@code model_cannot_extract}
     * (the model that would extract is one of Parley's built-ins, {@code parley/…}, which cannot). The model is
     * memory-service's own setting when it has one (it wins), else the turn's; {@code model} is named when
     * memory-service answered this turn's context (otherwise it is queued and memory-service decides on its setting).
     */
    public static Map<String, Object> decide(String memoryMode, String replyStatus, String turnModel, MemoryClient.Context memory) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        if (!"AUTO".equals(memoryMode)) {
            return skipped(out, "memory_mode_not_auto");
        }
        if (!Message.COMPLETE.equals(replyStatus)) {
            return skipped(out, "reply_not_complete");
        }
        if (memory.available()) {
            String model = memory.extractionModel() != null ? memory.extractionModel() : turnModel;
            if (model == null || model.startsWith("parley/")) {
                return skipped(out, "model_cannot_extract");
            }
            out.put("status", QUEUED);
            out.put("model", model);
            return out;
        }
        out.put("status", QUEUED);
        return out;
    }

    private static Map<String, Object> skipped(Map<String, Object> out, String reason) {
        out.put("status", SKIPPED);
        out.put("reason", reason);
        return out;
    }

    /**
     * A reply's {@code context.memory_extraction} as it stands now: a queued extraction's outcome is asked from
     * memory-service (done, failed, skipped, still queued; bounded by {@code memory-timeout}), anything else is as
     * stored. When memory-service has not had it yet or does not answer, it stays "queued".
     */
    public void current(Message m) {
        if (m.context == null || !(m.context.get(CONTEXT_KEY) instanceof Map<?, ?> stored) || !QUEUED.equals(stored.get("status"))) {
            return;
        }
        memory.extraction(m.userId, m.id).ifPresent(outcome -> {
            Map<String, Object> context = new java.util.LinkedHashMap<>(m.context);
            context.put(CONTEXT_KEY, outcome);
            m.context = context;
        });
    }

    /**
     * The exchange of a turn ({@code {"id","role","content"}} each: never the reasoning) and the turn's model, inside
     * the transaction that stores the reply.
     */
    public void owe(Message user, Message reply, String model) {
        List<Map<String, Object>> exchange = new java.util.ArrayList<>();
        for (Message m : List.of(user, reply)) {
            exchange.add(Map.of("id", m.id.toString(), "role", m.role, "content", m.content));
        }
        String json;
        try {
            json = mapper.writeValueAsString(exchange);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        outbox.oweExtraction(reply.id, reply.userId, reply.sessionId, json, model);
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

    private boolean deliverOne() {
        var owed = outbox.nextExtraction();
        if (owed.isEmpty()) {
            return false;
        }
        OutboxRepository.OwedExtraction row = owed.get();
        String error;
        try {
            List<Map<String, Object>> exchange = mapper.readValue(row.exchange(), EXCHANGE);
            if (memory.extract(row.userId(), row.sessionId(), row.replyId(), row.model(), exchange)) {
                outbox.extractionDone(row.replyId());
                return true;
            }
            error = "memory-service did not take it";
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        if (Instant.now().isAfter(row.createdAt().plus(maxAge))) {
            outbox.extractionDone(row.replyId());
            registry.counter("parley_session_extractions_dropped_total").increment();
            LOG.warnf("memory extraction of message %s dropped after %d attempts over %s (%s)", row.replyId(), row.attempts() + 1, maxAge, error);
            return true;
        }
        long delayMs = Math.min(300_000, 1000L << Math.min(row.attempts(), 12));
        outbox.extractionFailed(row.replyId(), Instant.now().plusMillis(delayMs), error);
        if (row.attempts() == 2) {
            pass.warn("memory-service has not taken the extraction of message %s after 3 attempts (%s); still retrying",
                    row.replyId(), error);
        }
        return true;
    }

    @PreDestroy
    void stop() {
        background.shutdownNow();
    }
}
