package dev.parley.session.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.http.Uuids;
import dev.parley.session.entity.ChatSession;
import dev.parley.session.entity.Message;
import dev.parley.session.repository.MessageRepository;
import dev.parley.session.repository.SessionRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/** Sessions and reading their message trees; only the owner sees a session or a message (anyone else: 404). */
@ApplicationScoped
public class SessionService {
    private static final Set<String> FIELDS = Set.of("title", "system_prompt", "memory_mode", "model", "llm_params", "metadata");
    private static final Set<String> MODES = Set.of("AUTO", "EXPLICIT", "DISABLED");

    public record Page(List<ChatSession> sessions, String nextCursor) { }

    private final SessionRepository sessions;
    private final MessageRepository messages;
    private final MemoryDeletions deletions;
    private final ObjectMapper mapper;
    private final EntityManager em;
    private final SessionEvents events;

    public SessionService(SessionRepository sessions, MessageRepository messages, MemoryDeletions deletions,
                          ObjectMapper mapper, EntityManager em, SessionEvents events) {
        this.events = events;
        this.sessions = sessions;
        this.messages = messages;
        this.deletions = deletions;
        this.mapper = mapper;
        this.em = em;
    }

    @Transactional
    public ChatSession create(UUID userId, JsonNode body) {
        JsonNode b = body == null || body.isNull() ? mapper.createObjectNode() : body;
        ChatSession s = new ChatSession();
        s.id = Uuids.v7();
        s.userId = userId;
        s.createdAt = Instant.now();
        s.updatedAt = s.createdAt;
        apply(s, b);
        sessions.persist(s);
        return s;
    }

    public ChatSession get(UUID userId, UUID id) {
        return sessions.ofUser(userId, id).orElseThrow(Errors::sessionNotFound);
    }

    @Transactional
    public ChatSession update(UUID userId, UUID id, JsonNode body) {
        ChatSession s = get(userId, id);
        apply(s, body);
        s.updatedAt = Instant.now();
        events.publish(s.id, "session.updated", Map.of("session_id", s.id));
        return s;
    }

    /**
     * Deletes the session with its messages (cascade) and owes memory-service the deletion of its memories: recorded
     * in the same transaction, delivered in the background until it succeeds.
     */
    @Transactional
    public void delete(UUID userId, UUID id) {
        ChatSession s = get(userId, id);
        sessions.delete(s);
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
        dev.parley.session.entity.Attachment a = em.createQuery(
                        "from Attachment a where a.id = :id and a.userId = :user", dev.parley.session.entity.Attachment.class)
                .setParameter("id", id).setParameter("user", userId).getResultStream().findFirst()
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
        List<Object[]> rows = em.createQuery("select a.id, a.messageId, a.mediaType, a.sizeBytes from Attachment a "
                + "where a.messageId in :ids order by a.createdAt, a.id", Object[].class).setParameter("ids", byId.keySet()).getResultList();
        for (Object[] r : rows) {
            Message m = byId.get((UUID) r[1]);
            if (m.attachments.isEmpty()) {
                m.attachments = new java.util.ArrayList<>();
            }
            m.attachments.add(Map.of("id", r[0], "media_type", r[2], "size", r[3]));
        }
        return list;
    }

    /**
     * Shows another branch: the message given, or the newest leaf below it when it has replies, becomes the active
     * leaf.
     */
    @Transactional
    public ChatSession switchBranch(UUID userId, UUID sessionId, JsonNode body) {
        ChatSession s = get(userId, sessionId);
        JsonNode id = body == null ? null : body.get("message_id");
        if (id == null || !id.isTextual()) {
            throw Errors.invalid("message_id", "Send {\"message_id\":\"…\"}.");
        }
        UUID messageId;
        try {
            messageId = UUID.fromString(id.asText());
        } catch (IllegalArgumentException e) {
            throw Errors.invalid("message_id", "message_id must be a UUID.");
        }
        messages.inSession(sessionId, messageId).orElseThrow(() ->
                ApiException.notFound("MESSAGE_NOT_FOUND", "message_id is not a message of this session."));
        s.activeLeafId = messages.newestLeafUnder(messageId);
        s.updatedAt = Instant.now();
        events.publish(s.id, "session.updated", Map.of("session_id", s.id, "active_leaf_id", s.activeLeafId));
        return s;
    }

    @SuppressWarnings("unchecked")
    private void apply(ChatSession s, JsonNode b) {
        if (!b.isObject()) {
            throw Errors.invalid("body", "The body must be a JSON object.");
        }
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw Errors.invalid(f, "Unknown field '" + f + "'.");
            }
        }
        if (b.has("title")) {
            s.title = text(b.get("title"), "title", 200);
        }
        if (b.has("system_prompt")) {
            s.systemPrompt = text(b.get("system_prompt"), "system_prompt", 100_000);
        }
        if (b.has("model")) {
            s.model = text(b.get("model"), "model", 256);
        }
        if (b.has("memory_mode")) {
            JsonNode m = b.get("memory_mode");
            if (!m.isTextual() || !MODES.contains(m.asText())) {
                throw Errors.invalid("memory_mode", "memory_mode must be AUTO, EXPLICIT or DISABLED.");
            }
            s.memoryMode = m.asText();
        }
        if (b.has("llm_params")) {
            JsonNode p = b.get("llm_params");
            if (!p.isNull() && !p.isObject()) {
                throw Errors.invalid("llm_params", "llm_params must be an object.");
            }
            s.llmParams = p.isNull() ? new LinkedHashMap<>() : mapper.convertValue(p, LinkedHashMap.class);
        }
        if (b.has("metadata")) {
            JsonNode p = b.get("metadata");
            if (!p.isNull() && !p.isObject()) {
                throw Errors.invalid("metadata", "metadata must be an object.");
            }
            if (p.toString().length() > 16_384) {
                throw Errors.invalid("metadata", "metadata is larger than 16 KiB.");
            }
            s.metadata = p.isNull() ? new LinkedHashMap<>() : mapper.convertValue(p, LinkedHashMap.class);
        }
    }

    private static String text(JsonNode v, String field, int max) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().length() > max) {
            throw Errors.invalid(field, field + " must be a string of at most " + max + " characters.");
        }
        return v.asText();
    }
}
