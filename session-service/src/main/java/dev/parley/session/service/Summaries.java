package dev.parley.session.service;

import java.util.List;
import java.util.UUID;

import dev.parley.platform.error.ApiException;
import dev.parley.session.client.MemoryClient;
import dev.parley.session.client.SummaryMemory;
import dev.parley.session.entity.Message;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * EXPLICIT memory: a stretch of one of the user's conversations, read here, handed to memory-service, which writes it
 * as one {@code summary} memory of the session (as extraction, session-service sends the messages: memory-service never
 * calls back). No transaction is open while memory-service's model writes the summary.
 */
@ApplicationScoped
public class Summaries {
    private final SessionService sessions;
    private final MemoryClient memory;

    public Summaries(SessionService sessions, MemoryClient memory) {
        this.sessions = sessions;
        this.memory = memory;
    }

    /**
     * The summary memory of the branch from {@code fromId} (null: the root) to {@code toId} (null: the active leaf);
     * 404 when the session or a message is not the user's, 400 when {@code fromId} is not on the way, 409 when the
     * stretch is empty.
     */
    public SummaryMemory summarize(UUID userId, UUID sessionId, UUID fromId, UUID toId) {
        List<Message> stretch = sessions.stretch(userId, sessionId, fromId, toId);
        if (stretch.isEmpty()) {
            throw new ApiException(409, "NOTHING_TO_SUMMARIZE", "That stretch of the conversation has no messages.");
        }
        List<MemoryClient.Line> lines = stretch.stream().map(m -> new MemoryClient.Line(m.id, m.role, m.content)).toList();
        return memory.summarize(userId, sessionId, lines, fromId, toId);
    }
}
