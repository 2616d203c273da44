package dev.parley.session.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.parley.platform.error.ApiException;
import dev.parley.platform.http.Uuids;
import dev.parley.session.entity.ChatSession;
import dev.parley.session.entity.Message;
import dev.parley.session.repository.AttachmentRepository;
import dev.parley.session.repository.MessageRepository;
import dev.parley.session.repository.SessionEventRepository;
import dev.parley.session.repository.SessionRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/** Sessions and reading their message trees; only the owner sees a session or a message (anyone else: 404). */
@ApplicationScoped
public class SessionService {
    public record Page(List<ChatSession> sessions, String nextCursor) { }

    /**
     * A session's settings as a create or a PATCH gives them (already checked): {@code null} leaves a setting as it is
     * (the default on create), {@code Optional.empty()} clears it (title, system prompt, model, thinking) or empties it
     * (llm_params, metadata).
     */
    public record Settings(Optional<String> title, Optional<String> systemPrompt, Optional<String> memoryMode,
                           Optional<String> model, Optional<Map<String, Object>> llmParams,
                           Optional<Map<String, Object>> metadata, Optional<Object> thinking) { }

    private final SessionRepository sessions;
    private final MessageRepository messages;
    private final AttachmentRepository attachments;
    private final MemoryDeletions deletions;
    private final SessionEvents events;

    private final SessionEventRepository eventRows;

    public SessionService(SessionRepository sessions, MessageRepository messages, AttachmentRepository attachments,
                          MemoryDeletions deletions, SessionEvents events, SessionEventRepository eventRows) {
        this.eventRows = eventRows;
        this.events = events;
        this.sessions = sessions;
        this.messages = messages;
        this.attachments = attachments;
        this.deletions = deletions;
    }

    @Transactional
    public ChatSession create(UUID userId, Settings settings) {
        ChatSession s = new ChatSession();
        s.id = Uuids.v7();
        s.userId = userId;
        s.createdAt = Instant.now();
        s.updatedAt = s.createdAt;
        apply(s, settings);
        sessions.persist(s);
        return s;
    }

    public ChatSession get(UUID userId, UUID id) {
        return sessions.ofUser(userId, id).orElseThrow(Errors::sessionNotFound);
    }

    @Transactional
    public ChatSession update(UUID userId, UUID id, Settings settings) {
        ChatSession s = get(userId, id);
        apply(s, settings);
        s.updatedAt = Instant.now();
        events.publish(s.id, "session.updated", Map.of("session_id", s.id));
        return s;
    }

    /**
     * Deletes the session with its messages (cascade) and its events, and owes memory-service the deletion of its
     * memories: recorded in the same transaction, delivered in the background until it succeeds.
     */
    @Transactional
    public void delete(UUID userId, UUID id) {
        ChatSession s = get(userId, id);
        sessions.delete(s);
        eventRows.deleteSession(s.id);
        deletions.owe(s.id, userId);
    }

    public Page list(UUID userId, int limit, String cursor, String title) {
        int size = Math.max(1, Math.min(limit, 100));
        Instant created = null;
        UUID lastId = null;
        if (cursor != null && !cursor.isBlank()) {
            try {
                String[] c = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
                created = Instant.parse(c[0]);
                lastId = UUID.fromString(c[1]);
            } catch (RuntimeException e) {
                throw Errors.invalid("cursor", "cursor is not one this API gave out.");
            }
        }
        String t = title == null || title.isBlank() ? null : title.strip();
        List<ChatSession> rows = sessions.page(userId, created, lastId, t, size + 1);
        String next = null;
        if (rows.size() > size) {
            rows = rows.subList(0, size);
            ChatSession last = rows.get(size - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString((last.createdAt + "|" + last.id).getBytes(StandardCharsets.UTF_8));
        }
        return new Page(rows, next);
    }

    /** The active branch, oldest first (empty for a new session). */
    @Transactional
    public List<Message> activeBranch(UUID userId, UUID sessionId) {
        ChatSession s = get(userId, sessionId);
        return withAttachments(s.activeLeafId == null ? List.of() : messages.chain(s.id, s.activeLeafId));
    }

    /**
     * The branch from {@code fromId} (null: the root) to {@code toId} (null: the active leaf), oldest first; 404 when
     * the session or either message is not the user's, 400 when {@code fromId} is not on the way to {@code toId}.
     */
    @Transactional
    public List<Message> stretch(UUID userId, UUID sessionId, UUID fromId, UUID toId) {
        ChatSession s = get(userId, sessionId);
        UUID leaf = toId != null ? messages.inSession(s.id, toId).orElseThrow(Errors::messageNotFound).id : s.activeLeafId;
        if (leaf == null) {
            return List.of();
        }
        List<Message> chain = messages.chain(s.id, leaf);
        if (fromId == null) {
            return chain;
        }
        messages.inSession(s.id, fromId).orElseThrow(Errors::messageNotFound);
        for (int i = 0; i < chain.size(); i++) {
            if (chain.get(i).id.equals(fromId)) {
                return chain.subList(i, chain.size());
            }
        }
        throw Errors.invalid("from_message_id", "from_message_id is not on the branch that leads to to_message_id.");
    }

    @Transactional
    public List<Message> tree(UUID userId, UUID sessionId) {
        get(userId, sessionId);
        return withAttachments(messages.tree(sessionId));
    }

    @Transactional
    public Message message(UUID userId, UUID id) {
        Message m = messages.ofUser(userId, id).orElseThrow(() -> ApiException.notFound("MESSAGE_NOT_FOUND", "No such message."));
        withAttachments(List.of(m));
        return m;
    }

    /** The chain from the root to the message, oldest first: one recursive query. */
    @Transactional
    public List<Message> history(UUID userId, UUID id) {
        Message m = message(userId, id);
        return withAttachments(messages.chain(m.sessionId, m.id));
    }

    /** An image of one of the caller's messages. */
    @Transactional
    public dev.parley.session.entity.Attachment attachment(UUID userId, UUID id) {
        dev.parley.session.entity.Attachment a = attachments.ofUser(userId, id)
                .orElseThrow(() -> ApiException.notFound("ATTACHMENT_NOT_FOUND", "No such attachment."));
        a.data.getClass(); // loaded inside the transaction
        return a;
    }

    /** Fills each message's image references (without the images' bytes), one query for all. */
    private List<Message> withAttachments(List<Message> list) {
        if (list.isEmpty()) {
            return list;
        }
        Map<UUID, Message> byId = new LinkedHashMap<>();
        list.forEach(m -> byId.put(m.id, m));
        for (AttachmentRepository.Ref r : attachments.refsOf(byId.keySet())) {
            Message m = byId.get(r.messageId());
            if (m.attachments.isEmpty()) {
                m.attachments = new java.util.ArrayList<>();
            }
            m.attachments.add(Map.of("id", r.id(), "media_type", r.mediaType(), "size", r.size()));
        }
        return list;
    }

    /**
     * Shows another branch: the message given, or the newest leaf below it when it has replies, becomes the active
     * leaf.
     */
    @Transactional
    public ChatSession switchBranch(UUID userId, UUID sessionId, UUID messageId) {
        ChatSession s = get(userId, sessionId);
        messages.inSession(sessionId, messageId).orElseThrow(() ->
                ApiException.notFound("MESSAGE_NOT_FOUND", "message_id is not a message of this session."));
        s.activeLeafId = messages.newestLeafUnder(messageId);
        s.updatedAt = Instant.now();
        events.publish(s.id, "session.updated", Map.of("session_id", s.id, "active_leaf_id", s.activeLeafId));
        return s;
    }

    private static void apply(ChatSession s, Settings b) {
        if (b.title() != null) {
            s.title = b.title().orElse(null);
        }
        if (b.systemPrompt() != null) {
            s.systemPrompt = b.systemPrompt().orElse(null);
        }
        if (b.model() != null) {
            s.model = b.model().orElse(null);
        }
        if (b.memoryMode() != null) {
            s.memoryMode = b.memoryMode().orElseThrow(); // null is refused by the request's validation
        }
        if (b.llmParams() != null) {
            s.llmParams = new LinkedHashMap<>(b.llmParams().orElse(Map.of()));
        }
        if (b.metadata() != null) {
            s.metadata = new LinkedHashMap<>(b.metadata().orElse(Map.of()));
        }
        if (b.thinking() != null) {
            s.thinking = b.thinking().orElse(null);
        }
    }
}
