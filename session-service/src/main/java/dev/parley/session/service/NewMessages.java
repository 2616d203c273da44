package dev.parley.session.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.platform.error.ApiException;
import dev.parley.platform.http.Uuids;
import dev.parley.session.entity.Attachment;
import dev.parley.session.entity.ChatSession;
import dev.parley.session.entity.Message;
import dev.parley.session.repository.AttachmentRepository;
import dev.parley.session.repository.MessageRepository;
import dev.parley.session.repository.SessionRepository;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The first half of a turn, in one transaction: the new message (a user message, or with {@code generate: false} an
 * imported assistant one) stored under its parent with its images, made the session's active leaf and announced; or,
 * for a retried {@code Idempotency-Key}, the message stored the first time and its answer. Call inside a transaction.
 */
@ApplicationScoped
public class NewMessages {
    /** What the turn goes on with: the session, the stored message, the branch before it (oldest first), a replay's answer. */
    public record Prepared(ChatSession session, Message user, List<Message> history, Message replayAnswer, boolean replay) { }

    private final SessionRepository sessions;
    private final MessageRepository messages;
    private final AttachmentRepository attachments;
    private final SessionEvents events;

    public NewMessages(SessionRepository sessions, MessageRepository messages, AttachmentRepository attachments, SessionEvents events) {
        this.sessions = sessions;
        this.messages = messages;
        this.attachments = attachments;
        this.events = events;
    }

    public Prepared prepare(UUID userId, UUID sessionId, TurnService.NewTurn turn, String idempotencyKey, List<Upload> images) {
        ChatSession session = sessions.ofUser(userId, sessionId).orElseThrow(Errors::sessionNotFound);
        if (idempotencyKey != null) {
            var existing = messages.byIdempotencyKey(sessionId, idempotencyKey);
            if (existing.isPresent()) {
                return replayOf(session, existing.get());
            }
        }
        UUID parentId = turn.parent() == null ? session.activeLeafId : turn.parent().orElse(null); // empty: from the root
        if (turn.parent() != null && parentId != null) {
            messages.inSession(sessionId, parentId).orElseThrow(() ->
                    ApiException.notFound("MESSAGE_NOT_FOUND", "parent_message_id is not a message of this session."));
        }
        List<Message> history = parentId == null ? List.of() : messages.chain(sessionId, parentId);
        Message m = new Message();
        m.id = Uuids.v7();
        m.sessionId = sessionId;
        m.userId = userId;
        m.parentMessageId = parentId;
        m.role = turn.role();
        m.content = turn.content();
        m.modelUsed = turn.modelUsed();
        m.llmParams = turn.params().isEmpty() ? null : turn.params();
        m.idempotencyKey = idempotencyKey;
        m.depth = history.isEmpty() ? 0 : history.get(history.size() - 1).depth + 1;
        m.createdAt = Instant.now();
        messages.persist(m);
        messages.flush();
        List<Map<String, Object>> refs = new ArrayList<>();
        for (Upload u : images) {
            Attachment a = new Attachment();
            a.id = Uuids.v7();
            a.messageId = m.id;
            a.userId = userId;
            a.mediaType = u.mediaType();
            a.sizeBytes = u.data().length;
            a.data = u.data();
            a.createdAt = m.createdAt;
            attachments.persist(a);
            refs.add(Map.of("id", a.id, "media_type", a.mediaType, "size", a.sizeBytes));
        }
        m.attachments = refs;
        session.activeLeafId = m.id;
        session.updatedAt = m.createdAt;
        events.publish(sessionId, "message.created", Map.of("session_id", sessionId, "message_id", m.id, "role", m.role));
        return new Prepared(session, m, history, null, false);
    }

    /** The turn the other of two simultaneous requests with the same key stored. */
    public Prepared replay(UUID userId, UUID sessionId, String idempotencyKey) {
        ChatSession session = sessions.ofUser(userId, sessionId).orElseThrow(Errors::sessionNotFound);
        return replayOf(session, messages.byIdempotencyKey(sessionId, idempotencyKey).orElseThrow());
    }

    private Prepared replayOf(ChatSession session, Message stored) {
        Message answer = "user".equals(stored.role) ? messages.firstChild(stored.id).orElse(null) : null;
        return new Prepared(session, stored, List.of(), answer, true);
    }
}
