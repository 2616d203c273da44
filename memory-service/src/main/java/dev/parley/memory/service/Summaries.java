package dev.parley.memory.service;

import java.util.List;
import java.util.UUID;

import dev.parley.platform.ai.GatewayChatModels;
import dev.parley.memory.ai.MemorySummarizer;
import dev.parley.memory.config.MemoryConfig;
import dev.parley.memory.entity.Memory;
import dev.parley.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * EXPLICIT memory: a stretch of a conversation (sent by session-service, which owns it) summarised by the extraction
 * model into one session-scoped {@code summary} memory that names the messages it covers.
 */
@ApplicationScoped
public class Summaries {
    private static final Logger LOG = Logger.getLogger(Summaries.class);
    /** Characters of conversation given to the model (the newest are kept when a stretch is longer). */
    static final int MAX_CHARS = 48_000;

    /** One message of the stretch. */
    public record Line(UUID id, String role, String content) { }

    private final MemoryConfig config;
    private final GatewayChatModels ai;
    private final MemorySummarizer summarizer;
    private final MemoryService memories;

    public Summaries(MemoryConfig config, GatewayChatModels ai, MemorySummarizer summarizer, MemoryService memories) {
        this.config = config;
        this.ai = ai;
        this.summarizer = summarizer;
        this.memories = memories;
    }

    /**
     * The summary memory of {@code lines} (oldest first): 409 when there are none, 503 without a model, 502 when the
     * model's answer is not the JSON asked for; nothing is stored on failure.
     */
    public Memory summarize(UUID userId, UUID sessionId, List<Line> lines) {
        String model = config.extractionModel().orElseThrow(() -> new ApiException(503, "NO_SUMMARY_MODEL",
                "No model is configured to write summaries (parley.memory.extraction-model)."));
        if (lines.isEmpty()) {
            throw new ApiException(409, "NOTHING_TO_SUMMARIZE", "That stretch of the conversation has no messages.");
        }
        // the newest messages that fit; the ones given to the model are the ones the summary names
        StringBuilder text = new StringBuilder();
        java.util.ArrayDeque<UUID> covered = new java.util.ArrayDeque<>();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i).role() + ": " + lines.get(i).content() + "\n";
            if (text.length() + line.length() > MAX_CHARS) {
                if (text.length() == 0) {
                    // one message longer than the whole allowance: its end, rather than nothing
                    text.append(line, line.length() - MAX_CHARS, line.length());
                    covered.addFirst(lines.get(i).id());
                }
                break;
            }
            text.insert(0, line);
            covered.addFirst(lines.get(i).id());
        }
        MemorySummarizer.Summary s;
        try {
            s = ai.actingFor(userId, sessionId, model, () -> summarizer.summarize(text.toString()));
        } catch (RuntimeException e) {
            LOG.debugf("summary for session %s failed: %s", sessionId, e.getClass().getSimpleName());
            throw new ApiException(502, "SUMMARY_FAILED", "The model did not return a usable summary.");
        }
        if (s == null || s.summary() == null || s.summary().isBlank()) {
            throw new ApiException(502, "SUMMARY_FAILED", "The model did not return a usable summary.");
        }
        String content = s.summary().strip();
        List<String> keywords = s.keywords() == null ? List.of() : s.keywords().stream().filter(k -> k != null && !k.isBlank())
                .map(k -> k.strip().toLowerCase(java.util.Locale.ROOT)).distinct().limit(MemoryService.MAX_KEYWORDS).toList();
        return memories.create(userId, new MemoryService.Draft(content.length() > MemoryService.MAX_CONTENT
                ? content.substring(0, MemoryService.MAX_CONTENT) : content, Memory.SESSION, sessionId, "summary", keywords, 0.6f,
                covered.stream().skip(Math.max(0, covered.size() - 100)).toList(), null), "explicit");
    }
}
