package dev.parley.memory.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

import dev.parley.memory.entity.Memory;
import dev.parley.memory.repository.AccountRepository;
import dev.parley.memory.repository.MemoryRepository;
import dev.parley.memory.repository.OutcomeRepository;
import dev.parley.platform.account.AccountData;
import dev.parley.platform.account.ExportPages;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * memory-service's part of an account's deletion and export. Deletion: the user's memories with their history and
 * embeddings, the extraction outcomes, the version row, and in memory the retrieval snapshot and the exchanges
 * waiting for extraction. Export: {@code memories.json} (each memory with its {@code history}, without the embedding;
 * beyond {@value #MEMORIES_PER_FILE} memories or about 4 MB, {@code memories-0002.json}, …, platform's {@link ExportPages}) and {@code extractions.json} (what became
 * of each AUTO extraction).
 */
@ApplicationScoped
public class MemoryAccountData implements AccountData {
    static final int MEMORIES_PER_FILE = 5_000;
    static final int BATCH = 1_000;

    private final AccountRepository accounts;
    private final OutcomeRepository outcomes;
    private final Retrieval retrieval;
    private final Extraction extraction;

    public MemoryAccountData(AccountRepository accounts, OutcomeRepository outcomes, Retrieval retrieval, Extraction extraction) {
        this.accounts = accounts;
        this.outcomes = outcomes;
        this.retrieval = retrieval;
        this.extraction = extraction;
    }

    @Override
    public void delete(UUID userId) {
        extraction.forget(userId); // first: nothing queued writes a memory after the rows are gone
        QuarkusTransaction.requiringNew().run(() -> accounts.delete(userId));
        retrieval.invalidate(userId);
    }

    @Override
    public void export(UUID userId, BiConsumer<String, Object> file) {
        ExportPages pages = new ExportPages(file, n -> n == 1 ? "memories.json" : String.format("memories-%04d.json", n),
                MEMORIES_PER_FILE, ExportPages.MAX_BYTES);
        Instant afterCreated = null;
        UUID afterId = null;
        while (true) {
            Instant c = afterCreated;
            UUID i = afterId;
            List<Memory> batch = QuarkusTransaction.requiringNew().call(() -> {
                List<Memory> memories = accounts.memories(userId, c, i, BATCH);
                Map<UUID, List<MemoryRepository.HistoryEntry>> history = accounts.history(memories.stream().map(m -> m.id).toList());
                for (Memory m : memories) {
                    List<MemoryRepository.HistoryEntry> h = history.getOrDefault(m.id, List.of());
                    long size = ExportPages.utf8(m.content) + 512;
                    for (MemoryRepository.HistoryEntry e : h) {
                        size += ExportPages.utf8(e.content(), e.reason()) + 128;
                    }
                    pages.add(memory(m, h), size);
                }
                return memories;
            });
            if (batch.size() < BATCH) {
                break;
            }
            Memory last = batch.get(batch.size() - 1);
            afterCreated = last.createdAt;
            afterId = last.id;
        }
        pages.finish();
        List<Map<String, Object>> extractions = QuarkusTransaction.requiringNew().call(() -> outcomes.ofUser(userId)).stream()
                .map(o -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("message_id", o.messageId());
                    m.put("session_id", o.sessionId());
                    m.putAll(o.view());
                    return m;
                }).toList();
        file.accept("extractions.json", Map.of("data", extractions));
    }

    private static Map<String, Object> memory(Memory x, List<MemoryRepository.HistoryEntry> history) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", x.id);
        m.put("content", x.content);
        m.put("scope", x.scope);
        m.put("session_id", x.sessionId);
        m.put("type", x.type);
        m.put("keywords", List.of(x.keywords));
        m.put("importance", x.importance);
        m.put("source", x.source);
        m.put("related_message_ids", List.of(x.relatedMessageIds));
        m.put("created_at", x.createdAt);
        m.put("updated_at", x.updatedAt);
        m.put("last_used_at", x.lastUsedAt);
        m.put("expires_at", x.expiresAt);
        List<Map<String, Object>> h = new ArrayList<>();
        for (MemoryRepository.HistoryEntry e : history) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("content", e.content());
            entry.put("replaced_at", e.replacedAt());
            entry.put("source", e.source());
            entry.put("reason", e.reason());
            h.add(entry);
        }
        m.put("history", h);
        return m;
    }
}
