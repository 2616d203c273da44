package dev.parley.memory.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.parley.platform.ai.GatewayChatModels;
import dev.parley.memory.ai.MemoryExtractor;
import dev.parley.memory.config.MemoryConfig;
import dev.parley.memory.entity.Memory;
import dev.parley.memory.repository.OutcomeRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * AUTO memory: each finished exchange waits in a bounded queue and one worker asks the extraction model (an AI
 * service over the gateway, acting for the user) what to remember, beside the user's related memories. Each
 * proposal becomes ADD (a new memory), UPDATE (the memory's content replaced, the old one kept in its history) or
 * NOOP. Two failures of a popular memory system are avoided by construction: extraction never deletes (re-stating a
 * known fact is at most a NOOP, it cannot remove the fact), and an UPDATE naming a memory that is not among the ones
 * shown (or not the user's) is stored as a new memory instead of being dropped. Bounded retries.
 * <p>
 * The model: {@code parley.memory.extraction-model} when the operator set one (it wins), else the one the exchange
 * names (the session's, sent by session-service); the call is metered to the user either way. With neither, or with
 * one of Parley's built-ins ({@code parley/…}, which cannot extract), the exchange is skipped. Each outcome is recorded
 * by the reply's message id ({@link OutcomeRepository}: queued, done, failed, skipped with the reason).
 */
@ApplicationScoped
public class Extraction {
    private static final Logger LOG = Logger.getLogger(Extraction.class);
    static final int RELATED = 10;
    /** Cosine similarity above which an ADD restates a memory already known. */
    static final double DUPLICATE = 0.95;

    /**
     * One exchange to read: {@code replyId} the key of its outcome (null: not recorded), {@code model} the one the
     * caller proposes (null: the operator's only).
     */
    public record Exchange(UUID userId, UUID sessionId, List<Map<String, String>> messages, List<UUID> messageIds, UUID replyId,
                           String model) {
        public Exchange(UUID userId, UUID sessionId, List<Map<String, String>> messages, List<UUID> messageIds) {
            this(userId, sessionId, messages, messageIds, null, null);
        }
    }

    /** What {@link #submit} did: queued, skipped (with why), or refused (the queue is full: retry later). */
    public record Submitted(String status, String reason) {
        static final Submitted QUEUED = new Submitted("queued", null);
        static final Submitted REFUSED = new Submitted("refused", "queue_full");
    }

    private record Job(Exchange exchange, String model, int attempt) { }

    private final MemoryConfig config;
    private final MemoryService memories;
    private final Retrieval retrieval;
    private final GatewayChatModels ai;
    private final MemoryExtractor extractor;
    private final MeterRegistry registry;
    private final Embeddings embeddings;
    private final BlockingQueue<Job> queue;
    private volatile boolean running;
    private Thread worker;

    private final OutcomeRepository outcomes;
    /** Users whose account was deleted here lately: their exchanges still queued or in progress are dropped. */
    private final Map<UUID, Long> forgotten = new java.util.concurrent.ConcurrentHashMap<>();

    public Extraction(MemoryConfig config, MemoryService memories, Retrieval retrieval, GatewayChatModels ai,
                      MemoryExtractor extractor, MeterRegistry registry, Embeddings embeddings, OutcomeRepository outcomes) {
        this.embeddings = embeddings;
        this.outcomes = outcomes;
        this.config = config;
        this.memories = memories;
        this.retrieval = retrieval;
        this.ai = ai;
        this.extractor = extractor;
        this.registry = registry;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, config.extractionQueue()));
        registry.gauge("parley_memory_extraction_queue", queue, BlockingQueue::size);
        // the series the dashboards query exist from the start, at 0, not only after the first extraction (a platform whose
        // sessions skip extraction, e.g. on parley/echo, would otherwise show none)
        registry.counter("parley_memory_extractions_total", "outcome", "done", "reason", "ok");
        registry.counter("parley_memory_extractions_total", "outcome", "dropped", "reason", "attempts");
    }

    /** The model that extracts an exchange: the operator's when set, else the one proposed; empty: none. */
    public Optional<String> modelFor(String proposed) {
        return config.extractionModel().filter(m -> !m.isBlank())
                .or(() -> Optional.ofNullable(proposed).filter(m -> !m.isBlank()));
    }

    /**
     * Queues an exchange, or skips it (no model, or a built-in that cannot extract: accepted, since retrying would
     * never help), recording the outcome; refused when the queue is full (the caller retries later, nothing recorded).
     */
    public Submitted submit(Exchange e) {
        if (isForgotten(e.userId())) {
            return new Submitted("skipped", "account_deleted"); // handed over as the account went: nothing of it is kept
        }
        Optional<String> model = modelFor(e.model());
        String skip = model.isEmpty() ? "no_model" : model.get().startsWith("parley/") ? "model_cannot_extract" : null;
        if (skip != null) {
            count("skipped", skip);
            record(e, "skipped", skip, model.orElse(null));
            return new Submitted("skipped", skip);
        }
        // recorded before it is queued, so the worker's result never lands before the "queued" row
        record(e, "queued", null, model.get());
        if (!queue.offer(new Job(e, model.get(), 1))) {
            count("refused", "queue_full");
            return Submitted.REFUSED;
        }
        return Submitted.QUEUED;
    }

    private void record(Exchange e, String status, String reason, String model) {
        if (e.replyId() != null) {
            QuarkusTransaction.requiringNew().run(() -> outcomes.record(e.replyId(), e.userId(), e.sessionId(), status, reason, model));
        }
    }

    private void finish(Exchange e, String status, String reason, int attempts, Map<String, Integer> counts) {
        if (e.replyId() != null) {
            QuarkusTransaction.requiringNew().run(() -> outcomes.finish(e.replyId(), status, reason, attempts,
                    counts.getOrDefault("add", 0), counts.getOrDefault("update", 0)));
        }
    }

    /** The recorded outcome of the extraction of a reply of the user's. */
    public Optional<OutcomeRepository.Outcome> outcome(UUID userId, UUID replyId) {
        return QuarkusTransaction.requiringNew().call(() -> outcomes.of(userId, replyId));
    }

    /**
     * Drops the user's exchanges waiting here and stops one in progress before it writes (an account's deletion); the
     * rows are {@link OutcomeRepository}'s and the deleting transaction's business.
     */
    public void forget(UUID userId) {
        forgotten.put(userId, System.currentTimeMillis());
        queue.removeIf(j -> j.exchange().userId().equals(userId));
        forgotten.values().removeIf(at -> at < System.currentTimeMillis() - 3_600_000);
    }

    private boolean isForgotten(UUID userId) {
        return forgotten.containsKey(userId);
    }

    void start(@Observes StartupEvent e) {
        running = true;
        worker = new Thread(this::work, "memory-extraction");
        worker.setDaemon(true);
        worker.start();
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        if (worker != null) {
            worker.interrupt();
        }
    }

    private void work() {
        while (running) {
            Job job;
            try {
                job = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                return;
            }
            if (job == null || isForgotten(job.exchange().userId())) {
                continue;
            }
            try {
                Map<String, Integer> outcome = process(job.exchange(), job.model());
                outcome.forEach((action, n) -> registry.counter("parley_memory_extraction_decisions_total", "action", action).increment(n));
                count("done", "ok");
                finishQuietly(job, "done", null, outcome);
            } catch (RuntimeException | Error ex) {
                // an Error too (a native library failing): the only worker must not die
                if (job.attempt() < config.extractionAttempts()) {
                    LOG.debugf("extraction attempt %d failed (%s); queued again", job.attempt(), ex.getClass().getSimpleName());
                    sleep(Duration.ofMillis(500L * job.attempt()));
                    if (!queue.offer(new Job(job.exchange(), job.model(), job.attempt() + 1))) {
                        count("dropped", "queue_full");
                        finishQuietly(job, "failed", "queue_full", Map.of());
                    }
                } else {
                    LOG.warnf("extraction of an exchange failed %d times (%s); dropped", job.attempt(), ex.getClass().getSimpleName());
                    count("dropped", "attempts");
                    finishQuietly(job, "failed", "attempts", Map.of());
                }
            }
        }
    }

    /** Records the worker's result; a database that is away loses the record, not the worker. */
    private void finishQuietly(Job job, String status, String reason, Map<String, Integer> counts) {
        try {
            finish(job.exchange(), status, reason, job.attempt(), counts);
        } catch (RuntimeException ex) {
            LOG.debugf("could not record an extraction's outcome: %s", ex.getClass().getSimpleName());
        }
    }

    private void count(String outcome, String reason) {
        registry.counter("parley_memory_extractions_total", "outcome", outcome, "reason", reason).increment();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads one exchange with {@code model} and applies the proposals; the counts per action. */
    public Map<String, Integer> process(Exchange e, String model) {
        StringBuilder excerpt = new StringBuilder();
        for (Map<String, String> m : e.messages()) {
            excerpt.append(m.getOrDefault("role", "user")).append(": ").append(m.getOrDefault("content", "")).append('\n');
        }
        String text = excerpt.toString();
        List<Retrieval.Hit> related = retrieval.search(e.userId(), e.sessionId(), text, RELATED).hits();
        Map<String, Memory> shown = new HashMap<>();
        StringBuilder prompt = new StringBuilder("CONVERSATION:\n").append(text).append("\nEXISTING memories:\n");
        if (related.isEmpty()) {
            prompt.append("(none)\n");
        }
        for (Retrieval.Hit h : related) {
            shown.put(h.memory().id.toString(), h.memory());
            prompt.append(h.memory().id).append(": ").append(h.memory().content).append('\n');
        }
        MemoryExtractor.Decisions decisions = ai.actingFor(e.userId(), e.sessionId(), model,
                () -> extractor.decide(prompt.toString()));
        Map<String, Integer> counts = new HashMap<>();
        if (decisions == null || decisions.memories() == null) {
            return counts;
        }
        for (MemoryExtractor.Decision d : decisions.memories()) {
            if (isForgotten(e.userId())) {
                break; // the account was deleted while the model answered: nothing of it is written
            }
            String action = d.action() == null ? "" : d.action().toUpperCase(Locale.ROOT);
            String applied = apply(e, d, action, shown);
            counts.merge(applied, 1, Integer::sum);
        }
        return counts;
    }

    private String apply(Exchange e, MemoryExtractor.Decision d, String action, Map<String, Memory> shown) {
        String content = d.content() == null ? null : d.content().strip();
        if (action.equals("NOOP") || content == null || content.isEmpty()) {
            return "noop";
        }
        String type = d.type() != null && MemoryService.TYPES.contains(d.type().toLowerCase(Locale.ROOT))
                ? d.type().toLowerCase(Locale.ROOT) : "fact";
        Float importance = d.importance() == null ? null : (float) Math.max(0, Math.min(1, d.importance()));
        List<String> keywords = d.keywords() == null ? null
                : d.keywords().stream().filter(k -> k != null && !k.isBlank()).map(k -> k.strip().toLowerCase(Locale.ROOT)).distinct()
                        .limit(MemoryService.MAX_KEYWORDS).toList();
        Memory target = action.equals("UPDATE") && d.memoryId() != null ? shown.get(d.memoryId()) : null;
        if (target != null) {
            if (target.content.equals(content)) {
                return "noop";
            }
            memories.update(e.userId(), target.id, new MemoryService.Draft(truncate(content), null, null, null, keywords,
                    importance, mergeIds(target, e.messageIds()), null), "auto", "replaced by extraction");
            return "update";
        }
        // ADD, or an UPDATE of a memory that was not shown: the new fact is kept, never dropped; but a restatement
        // of a memory already shown (the same words, or a near-identical meaning) is a NOOP, not a duplicate
        String stored = truncate(content);
        float[] vector = embeddings.embed(e.userId(), stored);
        for (Memory m : shown.values()) {
            if (m.content.equalsIgnoreCase(content) || (vector != null && m.embedding != null
                    && embeddings.model().equals(m.embeddingModel) && Vectors.cosine(vector, Vectors.decode(m.embedding)) >= DUPLICATE)) {
                return "noop";
            }
        }
        // the vector computed for the duplicate check is the one stored (one embedding per added memory, not two)
        memories.create(e.userId(), new MemoryService.Draft(stored, Memory.USER, null, type, keywords, importance,
                e.messageIds(), null), "auto", vector);
        return "add";
    }

    private static String truncate(String s) {
        return s.length() <= MemoryService.MAX_CONTENT ? s : s.substring(0, MemoryService.MAX_CONTENT);
    }

    private static List<UUID> mergeIds(Memory m, List<UUID> more) {
        List<UUID> ids = new ArrayList<>(List.of(m.relatedMessageIds));
        for (UUID id : more) {
            if (!ids.contains(id) && ids.size() < 100) {
                ids.add(id);
            }
        }
        return ids;
    }
}
