package dev.parley.session.client;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.parley.platform.error.ApiException;
import dev.parley.session.config.SessionConfig;
import io.smallrye.faulttolerance.api.TypedGuard;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Fallback;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * memory-service's internal API: the memories for a prompt, extraction of an exchange, dropping a deleted session's
 * memories, and writing a summary. What may be repeated is repeated here; the rest is the callers' business:
 * <ul>
 * <li>context: a read, so one more attempt after a failure, but only within the turn's budget
 * ({@code memory-timeout} bounds both attempts together); any failure means "no memories", never a failed turn;</li>
 * <li>extract and delete session: not retried here, their outboxes ({@code MemoryExtractions}, {@code MemoryDeletions})
 * retry with backoff;</li>
 * <li>summaries: not retried (the model call behind it is paid for); memory-service's refusals are passed on, any
 * other failure is a 503 {@code MEMORY_SERVICE_UNAVAILABLE}.</li>
 * </ul>
 */
@ApplicationScoped
public class MemoryClient {
    public record Memory(String id, String content, double score) { }

    /**
     * {@code available}: memory-service answered in time; {@code extractionModel}: the model its operator set for AUTO
     * extraction, which wins over the session's (null: none set, or not known when memory-service did not answer).
     */
    public record Context(boolean available, List<Memory> memories, String text, String extractionModel) {
        public static final Context UNAVAILABLE = new Context(false, List.of(), "", null);

        public Context(boolean available, List<Memory> memories, String text) {
            this(available, memories, text, null);
        }
    }

    /** One message of a stretch to summarise. */
    public record Line(UUID id, String role, String content) { }

    private final MemoryApi api;
    private final Duration budget;
    /**
     * The turn's whole wait for memories. Programmatic because {@code @Timeout} takes a constant or a number of a
     * unit, and the key users set is a Duration ({@code parley.session.memory-timeout}).
     */
    private final TypedGuard<Context> contextBudget;
    /** An extraction's outcome is asked within the same bound ({@code memory-timeout}): a GET of a message waits no longer. */
    private final TypedGuard<Map<String, Object>> outcomeBudget;

    public MemoryClient(@RestClient MemoryApi api, SessionConfig config) {
        this.api = api;
        this.budget = config.memoryTimeout();
        this.contextBudget = TypedGuard.create(Context.class)
                .withTimeout().duration(Math.max(1, budget.toMillis()), ChronoUnit.MILLIS).done()
                .build();
        this.outcomeBudget = TypedGuard.create(new jakarta.enterprise.util.TypeLiteral<Map<String, Object>>() { })
                .withTimeout().duration(Math.max(1, budget.toMillis()), ChronoUnit.MILLIS).done()
                .build();
    }

    /** The memories for a prompt within {@code memory-timeout}; {@link Context#UNAVAILABLE} on any failure. */
    public Context context(UUID userId, UUID sessionId, String query, int tokenBudget) {
        MemoryApi.ContextRequest request = new MemoryApi.ContextRequest(userId, sessionId, query, tokenBudget);
        long start = System.nanoTime();
        try {
            return contextBudget.call(() -> {
                try {
                    return context(api.context(request));
                } catch (RuntimeException first) {
                    // a stale connection or a refused token (the filter has dropped it): once more, if half the budget is left
                    if (Thread.currentThread().isInterrupted() || System.nanoTime() - start > budget.toNanos() / 2) {
                        throw first;
                    }
                    return context(api.context(request));
                }
            });
        } catch (Exception e) {
            return Context.UNAVAILABLE;
        }
    }

    private static Context context(MemoryApi.ContextAnswer a) {
        List<Memory> memories = a.memories() == null ? List.of()
                : a.memories().stream().map(m -> new Memory(m.id(), m.content() == null ? "" : m.content(), m.score())).toList();
        String model = a.extractionModel() == null || a.extractionModel().isBlank() ? null : a.extractionModel();
        return new Context(true, memories, a.text() == null ? "" : a.text(), model);
    }

    /**
     * Hands a finished exchange to extraction ({@code model}: the turn's, used unless memory-service sets its own);
     * true when memory-service took it (2xx).
     */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    public boolean extract(UUID userId, UUID sessionId, UUID replyId, String model, List<Map<String, Object>> messages) {
        try {
            api.extract(new MemoryApi.ExtractRequest(userId, sessionId, replyId, model, messages));
            return true;
        } catch (MemoryApi.Refused e) {
            return false;
        }
    }

    /**
     * What became of the extraction of a reply, as memory-service recorded it ({@code status} done, failed, skipped or
     * queued, {@code reason}, …), within {@code memory-timeout}; empty when memory-service has not had it yet, or
     * did not answer in time.
     */
    public Optional<Map<String, Object>> extraction(UUID userId, UUID replyId) {
        try {
            return Optional.ofNullable(outcomeBudget.call(() -> api.extraction(replyId, userId)));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Drops a deleted session's memories; true when memory-service confirmed (2xx, as its contract answers 204). */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    public boolean deleteSession(UUID sessionId, UUID userId) {
        try {
            api.deleteSession(sessionId, userId);
            return true;
        } catch (MemoryApi.Refused e) {
            return false;
        }
    }

    /**
     * A {@code summary} memory of the stretch (oldest first). memory-service's refusals keep their status and code
     * (409 nothing to summarise, 503 no summary model, 502 an unusable answer, 400); anything else, memory-service
     * unreachable or not answering it included, is 503 {@code MEMORY_SERVICE_UNAVAILABLE}.
     */
    @Timeout(value = 120, unit = ChronoUnit.SECONDS)
    @Fallback(fallbackMethod = "summaryUnavailable", skipOn = ApiException.class)
    public SummaryMemory summarize(UUID userId, UUID sessionId, List<Line> stretch, UUID fromId, UUID toId) {
        List<MemoryApi.Line> lines = stretch.stream().map(l -> new MemoryApi.Line(l.id(), l.role(), l.content())).toList();
        try {
            return api.summarize(new MemoryApi.SummaryRequest(userId, sessionId, lines, fromId, toId));
        } catch (MemoryApi.Refused e) {
            boolean theirs = e.code != null && (e.status == 400 || e.status == 409 || e.status == 502 || e.status == 503);
            if (theirs) {
                throw new ApiException(e.status, e.code, e.getMessage() != null ? e.getMessage() : "memory-service refused the summary.");
            }
            throw unavailable();
        } catch (RuntimeException e) {
            throw unavailable();
        }
    }

    /** memory-service did not answer within the timeout. */
    SummaryMemory summaryUnavailable(UUID userId, UUID sessionId, List<Line> stretch, UUID fromId, UUID toId) {
        throw unavailable();
    }

    private static ApiException unavailable() {
        return new ApiException(503, "MEMORY_SERVICE_UNAVAILABLE", "The summary could not be written: memory-service is unavailable.");
    }
}
