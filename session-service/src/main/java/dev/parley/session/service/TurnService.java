package dev.parley.session.service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.http.Uuids;
import dev.parley.platform.ai.GatewayChatModels;
import dev.parley.session.ai.TitleWriter;
import dev.parley.session.client.GatewayClient;
import dev.parley.session.client.MemoryClient;
import dev.parley.session.config.SessionConfig;
import dev.parley.session.entity.ChatSession;
import dev.parley.session.entity.Message;
import dev.parley.session.repository.MessageRepository;
import dev.parley.session.repository.SessionRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.exception.ConstraintViolationException;
import org.jboss.logging.Logger;

/**
 * A turn: store the user message, build the context (system prompt, memories, the branch's history within the
 * model's window), call the gateway, store the reply with how it was made, and in AUTO mode hand the exchange to
 * memory-service. No database transaction is open while the gateway answers.
 */
@ApplicationScoped
public class TurnService {
    private static final Logger LOG = Logger.getLogger(TurnService.class);
    private static final int MAX_CONTENT = 200_000;

    public record TurnResult(Message user, Message assistant, boolean replay) { }

    /** A streamed generation in flight on this replica, found by its user message's id or its reply's. */
    private static final class Generation {
        final UUID userId;
        volatile boolean cancelled;
        volatile java.io.Closeable upstream;

        Generation(UUID userId) {
            this.userId = userId;
        }

        void cancel() {
            cancelled = true;
            java.io.Closeable u = upstream;
            if (u != null) {
                try {
                    u.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }
        }
    }

    private final Map<UUID, Generation> inFlight = new java.util.concurrent.ConcurrentHashMap<>();

    private record Prepared(ChatSession session, Message user, List<Message> history, Message replayAnswer, boolean replay) { }

    private final SessionRepository sessions;
    private final MessageRepository messages;
    private final dev.parley.session.repository.AttachmentRepository attachments;
    private final GatewayClient gateway;
    private final MemoryClient memory;
    private final SessionEvents events;
    private final SessionConfig config;
    private final ObjectMapper mapper;
    private final GatewayChatModels ai;
    private final TitleWriter titles;
    private final MemoryExtractions extractions;
    private final ExecutorService background = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "session-titles");
        t.setDaemon(true);
        return t;
    });

    public TurnService(SessionRepository sessions, MessageRepository messages,
                       dev.parley.session.repository.AttachmentRepository attachments, GatewayClient gateway, MemoryClient memory,
                       SessionConfig config, ObjectMapper mapper, SessionEvents events, GatewayChatModels ai, TitleWriter titles,
                       MemoryExtractions extractions) {
        this.extractions = extractions;
        this.events = events;
        events.onCancelRequest(this::cancelHere);
        this.ai = ai;
        this.titles = titles;
        this.attachments = attachments;
        this.sessions = sessions;
        this.messages = messages;
        this.gateway = gateway;
        this.memory = memory;
        this.config = config;
        this.mapper = mapper;
    }

    // ---- a new message --------------------------------------------------------------------------------------------

    /** An image sent with a message, its type already checked from its bytes. */
    public record Upload(byte[] data, String mediaType) { }

    public TurnResult send(UUID userId, UUID sessionId, JsonNode body, String idempotencyKey, TurnSink sink) {
        return send(userId, sessionId, body, idempotencyKey, List.of(), sink);
    }

    public TurnResult send(UUID userId, UUID sessionId, JsonNode body, String idempotencyKey, List<Upload> images, TurnSink sink) {
        if (body == null || !body.isObject()) {
            throw invalid("body", "Send {\"content\":\"…\"}.");
        }
        JsonNode content = body.get("content");
        if (content == null || !content.isTextual() || content.asText().isBlank()) {
            throw invalid("content", "content is required: the message text.");
        }
        if (content.asText().length() > MAX_CONTENT) {
            throw invalid("content", "content is longer than " + MAX_CONTENT + " characters.");
        }
        String model = optionalText(body, "model", 256);
        Map<String, Object> params = params(body.get("llm_params"));
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw invalid("Idempotency-Key", "Idempotency-Key must be 1 to 255 characters.");
        }
        Prepared p;
        try {
            p = QuarkusTransaction.requiringNew().call(() -> prepare(userId, sessionId, body, content.asText(), params, idempotencyKey, images));
        } catch (RuntimeException e) {
            if (idempotencyKey != null && causedBy(e, ConstraintViolationException.class)) {
                // the same key sent twice at once: the other request stored the turn
                p = QuarkusTransaction.requiringNew().call(() -> replay(userId, sessionId, idempotencyKey));
            } else {
                throw e;
            }
        }
        if (p.replay()) {
            if (sink != null) {
                sink.created(p.user());
                if (p.replayAnswer() != null) {
                    sink.completed(p.replayAnswer());
                }
            }
            return new TurnResult(p.user(), p.replayAnswer(), true);
        }
        if (sink != null) {
            sink.created(p.user());
        }
        Message assistant = generate(userId, p.session(), p.user(), p.history(), model, params, sink, true);
        return new TurnResult(p.user(), assistant, false);
    }

    private Prepared prepare(UUID userId, UUID sessionId, JsonNode body, String content, Map<String, Object> params,
                             String idempotencyKey, List<Upload> images) {
        ChatSession session = sessions.ofUser(userId, sessionId).orElseThrow(TurnService::sessionNotFound);
        if (idempotencyKey != null) {
            var existing = messages.byIdempotencyKey(sessionId, idempotencyKey);
            if (existing.isPresent()) {
                return new Prepared(session, existing.get(), List.of(), messages.firstChild(existing.get().id).orElse(null), true);
            }
        }
        UUID parentId;
        if (body.has("parent_message_id")) {
            JsonNode parent = body.get("parent_message_id");
            if (parent.isNull()) {
                parentId = null; // a new first message: a branch from the root
            } else {
                parentId = uuid(parent, "parent_message_id");
                messages.inSession(sessionId, parentId).orElseThrow(() ->
                        ApiException.notFound("MESSAGE_NOT_FOUND", "parent_message_id is not a message of this session."));
            }
        } else {
            parentId = session.activeLeafId;
        }
        List<Message> history = parentId == null ? List.of() : messages.chain(sessionId, parentId);
        Message user = new Message();
        user.id = Uuids.v7();
        user.sessionId = sessionId;
        user.userId = userId;
        user.parentMessageId = parentId;
        user.role = "user";
        user.content = content;
        user.llmParams = params.isEmpty() ? null : params;
        user.idempotencyKey = idempotencyKey;
        user.depth = history.isEmpty() ? 0 : history.get(history.size() - 1).depth + 1;
        user.createdAt = Instant.now();
        messages.persist(user);
        messages.flush();
        List<Map<String, Object>> refs = new ArrayList<>();
        for (Upload u : images) {
            dev.parley.session.entity.Attachment a = new dev.parley.session.entity.Attachment();
            a.id = Uuids.v7();
            a.messageId = user.id;
            a.userId = userId;
            a.mediaType = u.mediaType();
            a.sizeBytes = u.data().length;
            a.data = u.data();
            a.createdAt = user.createdAt;
            attachments.persist(a);
            refs.add(Map.of("id", a.id, "media_type", a.mediaType, "size", a.sizeBytes));
        }
        user.attachments = refs;
        session.activeLeafId = user.id;
        session.updatedAt = user.createdAt;
        events.publish(sessionId, "message.created", Map.of("session_id", sessionId, "message_id", user.id, "role", "user"));
        return new Prepared(session, user, history, null, false);
    }

    private Prepared replay(UUID userId, UUID sessionId, String idempotencyKey) {
        ChatSession session = sessions.ofUser(userId, sessionId).orElseThrow(TurnService::sessionNotFound);
        Message user = messages.byIdempotencyKey(sessionId, idempotencyKey).orElseThrow();
        return new Prepared(session, user, List.of(), messages.firstChild(user.id).orElse(null), true);
    }

    // ---- regenerate -------------------------------------------------------------------------------------------------

    /** A new sibling of an assistant message: the same user message answered again. */
    public Message regenerate(UUID userId, UUID assistantId, JsonNode body, TurnSink sink) {
        JsonNode b = body == null || body.isNull() ? mapper.createObjectNode() : body;
        if (!b.isObject()) {
            throw invalid("body", "Send {\"model\"?, \"llm_params\"?} or nothing.");
        }
        String model = optionalText(b, "model", 256);
        Map<String, Object> params = params(b.get("llm_params"));
        Prepared p = QuarkusTransaction.requiringNew().call(() -> {
            Message old = messages.ofUser(userId, assistantId).orElseThrow(() ->
                    ApiException.notFound("MESSAGE_NOT_FOUND", "No such message."));
            if (!"assistant".equals(old.role) || old.parentMessageId == null) {
                throw invalid("message_id", "Only an assistant message can be regenerated.");
            }
            ChatSession session = sessions.ofUser(userId, old.sessionId).orElseThrow(TurnService::sessionNotFound);
            Message user = messages.findById(old.parentMessageId);
            List<Message> history = user.parentMessageId == null ? List.of() : messages.chain(session.id, user.parentMessageId);
            return new Prepared(session, user, history, null, false);
        });
        if (sink != null) {
            sink.created(p.user());
        }
        return generate(userId, p.session(), p.user(), p.history(), model, params, sink, false);
    }

    // ---- calling the gateway ----------------------------------------------------------------------------------------

    private Message generate(UUID userId, ChatSession session, Message user, List<Message> history, String modelOverride,
                             Map<String, Object> paramsOverride, TurnSink sink, boolean dropUserOnRefusal) {
        String model = modelOverride != null ? modelOverride : session.model != null ? session.model : config.defaultModel();
        Map<String, Object> params = new LinkedHashMap<>(session.llmParams == null ? Map.of() : session.llmParams);
        params.putAll(paramsOverride);
        GatewayClient.ModelInfo info = gateway.model(userId, model);
        int reserved = params.get("max_tokens") instanceof Number n ? n.intValue() : config.reservedOutputTokens();
        boolean memoryAsked = !"DISABLED".equals(session.memoryMode);
        MemoryClient.Context mem = memoryAsked
                ? memory.context(userId, session.id, user.content, config.memoryTokenBudget())
                : new MemoryClient.Context(true, List.of(), "");
        Map<UUID, List<String>> images = imagesOf(history, user);
        ContextBuilder.Built built = ContextBuilder.build(session.systemPrompt, mem, memoryAsked, history, user,
                info.contextWindow(), reserved, images);

        Message reply = new Message();
        reply.id = Uuids.v7();
        reply.sessionId = session.id;
        reply.userId = userId;
        reply.parentMessageId = user.id;
        reply.role = "assistant";
        reply.depth = user.depth + 1;
        reply.modelUsed = model;
        reply.context = built.context();
        reply.llmParams = params.isEmpty() ? null : params;

        ObjectNode request = mapper.createObjectNode();
        request.put("model", model);
        request.set("messages", mapper.valueToTree(built.messages()));
        applyParams(request, params);
        boolean stream = sink != null;
        if (stream) {
            request.put("stream", true);
            request.putObject("stream_options").put("include_usage", true);
        }
        long start = System.nanoTime();
        Generation generation = new Generation(userId);
        if (stream) {
            inFlight.put(user.id, generation);
            inFlight.put(reply.id, generation);
        }
        try {
            byte[] payload = mapper.writeValueAsBytes(request);
            GatewayClient.Answer answer = stream ? gateway.chatStream(userId, session.id, reply.id, payload)
                    : gateway.chat(userId, session.id, reply.id, payload);
            if (answer.status() != 200) {
                refused(answer, reply, user, dropUserOnRefusal, sink);
            } else if (stream) {
                generation.upstream = answer.stream();
                if (generation.cancelled) {
                    generation.cancel();
                }
                readStream(answer, reply, sink, generation, start);
            } else {
                readCompletion(answer, reply);
            }
            reply.deployment = answer.deployment();
        } catch (ApiException e) {
            throw e;
        } catch (IOException e) {
            failed(reply, "GATEWAY_UNAVAILABLE", "The gateway could not be reached or stopped answering: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(reply, "INTERRUPTED", "The turn was interrupted.");
        } finally {
            inFlight.remove(user.id, generation);
            inFlight.remove(reply.id, generation);
        }
        reply.responseTimeMs = (int) ((System.nanoTime() - start) / 1_000_000);
        if (reply.deployment != null && reply.provider == null) {
            int slash = reply.deployment.indexOf('/');
            reply.provider = slash > 0 ? reply.deployment.substring(0, slash) : reply.deployment;
        }
        reply.createdAt = Instant.now();
        boolean extract = "AUTO".equals(session.memoryMode) && Message.COMPLETE.equals(reply.status);
        QuarkusTransaction.requiringNew().run(() -> {
            messages.persist(reply);
            sessions.update("activeLeafId = ?1, updatedAt = ?2 where id = ?3", reply.id, reply.createdAt, session.id);
            events.publish(session.id, "message.completed", Map.of("session_id", session.id, "message_id", reply.id,
                    "parent_message_id", user.id, "status", reply.status));
            if (extract) {
                // owed in the reply's own transaction: a memory-service outage delays extraction, never loses it
                extractions.owe(reply.id, userId, session.id, exchange(user, reply));
            }
        });
        if (sink != null) {
            if (reply.error != null && (Message.PARTIAL.equals(reply.status) || Message.ERROR.equals(reply.status))) {
                sink.failed(reply);
            } else {
                sink.completed(reply);
            }
        }
        if (extract) {
            extractions.deliverSoon();
        }
        if (session.title == null && user.parentMessageId == null && Message.COMPLETE.equals(reply.status)) {
            titleLater(userId, session.id, model, user.content, reply.content);
        }
        return reply;
    }

    /**
     * The title of an untitled session after its first exchange: a short one asked from the session's model through
     * the gateway (not for parley/echo, which would only repeat the message), else the first words of the message.
     * Set only while the session is still untitled, so a title the user gave meanwhile is kept.
     */
    private void titleLater(UUID userId, UUID sessionId, String model, String question, String answer) {
        background.submit(() -> {
            String title = null;
            String titleModel = config.titleModel().orElse(model.startsWith("parley/") ? null : model);
            if (titleModel != null) {
                title = askTitle(userId, sessionId, titleModel, question, answer);
            }
            if (title == null || title.isBlank()) {
                title = firstWords(question);
            }
            String t = title;
            QuarkusTransaction.requiringNew().run(() -> {
                if (sessions.update("title = ?1, updatedAt = ?2 where id = ?3 and title is null", t, Instant.now(), sessionId) == 1) {
                    events.publish(sessionId, "title.changed", Map.of("session_id", sessionId, "title", t));
                }
            });
        });
    }

    private String askTitle(UUID userId, UUID sessionId, String model, String question, String answer) {
        try {
            String t = ai.actingFor(userId, sessionId, model,
                    () -> titles.title("User: " + truncate(question, 2000) + "\nAssistant: " + truncate(answer, 2000)));
            t = t == null ? "" : t.strip().replaceAll("^[\"'«“]+|[\"'»”.]+$", "").strip();
            return t.isEmpty() ? null : truncate(t, 200);
        } catch (RuntimeException e) {
            // no usable model, a refusal or an unreachable gateway: the first words will do
            LOG.debugf("auto-title for session %s failed: %s", sessionId, e.getClass().getSimpleName());
            return null;
        }
    }

    /** The first six words of a message, at most 60 characters. */
    static String firstWords(String text) {
        String[] words = text.strip().split("\\s+");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(6, words.length); i++) {
            if (sb.length() + words[i].length() + 1 > 60) {
                break;
            }
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(words[i]);
        }
        return sb.isEmpty() ? truncate(text.strip(), 60) : sb.toString();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    /**
     * A one-off completion that stores nothing ({@code POST /api/v1/llm/text-completion} without a session): the
     * text, the model, the finish reason and usage.
     */
    public Map<String, Object> oneOff(UUID userId, JsonNode body) {
        return oneOff(userId, body, List.of());
    }

    /** A one-off completion, the images (if any) sent as content parts after the text. */
    public Map<String, Object> oneOff(UUID userId, JsonNode body, List<Upload> images) {
        if (body == null || !body.isObject() || !body.path("text").isTextual() || body.get("text").asText().isBlank()) {
            throw invalid("text", "text is required.");
        }
        String model = optionalText(body, "model", 256);
        Map<String, Object> params = params(body.get("llm_params"));
        ObjectNode req = mapper.createObjectNode();
        req.put("model", model != null ? model : config.defaultModel());
        if (images.isEmpty()) {
            req.putArray("messages").addObject().put("role", "user").put("content", body.get("text").asText());
        } else {
            var parts = req.putArray("messages").addObject().put("role", "user").putArray("content");
            parts.addObject().put("type", "text").put("text", body.get("text").asText());
            for (Upload u : images) {
                parts.addObject().put("type", "image_url").putObject("image_url")
                        .put("url", "data:" + u.mediaType() + ";base64," + java.util.Base64.getEncoder().encodeToString(u.data()));
            }
        }
        applyParams(req, params);
        try {
            GatewayClient.Answer a = gateway.chat(userId, null, null, mapper.writeValueAsBytes(req));
            JsonNode root = mapper.readTree(a.body());
            if (a.status() != 200) {
                JsonNode err = root.path("error");
                throw new ApiException(a.status() >= 500 || a.status() == 401 || a.status() == 403 ? 502 : a.status(),
                        err.path("code").asText("GATEWAY_ERROR").toUpperCase(Locale.ROOT), err.path("message").asText("The gateway refused the call."));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            JsonNode choice = root.path("choices").path(0);
            out.put("text", choice.path("message").path("content").asText(""));
            out.put("model", req.get("model").asText());
            out.put("finish_reason", choice.path("finish_reason").asText(null));
            out.put("usage", mapper.convertValue(root.path("usage"), Map.class));
            return out;
        } catch (IOException e) {
            throw new ApiException(502, "GATEWAY_UNAVAILABLE", "The gateway could not be reached.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "INTERRUPTED", "Interrupted.");
        }
    }

    /** The gateway refused the call (4xx: unknown model, no provider key, rate limit, budget): nothing is kept. */
    private void refused(GatewayClient.Answer answer, Message reply, Message user, boolean dropUser, TurnSink sink) {
        String code = "GATEWAY_ERROR";
        String message = "The gateway answered HTTP " + answer.status() + ".";
        try {
            JsonNode err = mapper.readTree(answer.body()).path("error");
            if (err.hasNonNull("code")) {
                code = err.get("code").asText().toUpperCase(Locale.ROOT);
            }
            if (err.hasNonNull("message")) {
                message = err.get("message").asText();
            }
        } catch (IOException | RuntimeException e) {
            // keep the generic words
        }
        if (answer.status() >= 500) {
            failed(reply, code, message);
            return;
        }
        if (dropUser) {
            QuarkusTransaction.requiringNew().run(() -> {
                messages.deleteById(user.id);
                sessions.update("activeLeafId = ?1 where id = ?2 and activeLeafId = ?3", user.parentMessageId, user.sessionId, user.id);
                events.publish(user.sessionId, "message.deleted", Map.of("session_id", user.sessionId, "message_id", user.id));
            });
        }
        throw new ApiException(answer.status() == 401 || answer.status() == 403 ? 502 : answer.status(), code, message);
    }

    private void failed(Message reply, String code, String message) {
        reply.status = reply.content != null && !reply.content.isEmpty() ? Message.PARTIAL : Message.ERROR;
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        reply.error = error;
    }

    private void readCompletion(GatewayClient.Answer answer, Message reply) throws IOException {
        JsonNode c = mapper.readTree(answer.body());
        JsonNode choice = c.path("choices").path(0);
        JsonNode msg = choice.path("message");
        reply.content = msg.path("content").asText("");
        if (msg.hasNonNull("reasoning_content")) {
            reply.reasoning = msg.get("reasoning_content").asText();
        }
        reply.finishReason = choice.path("finish_reason").asText(null);
        usage(reply, c.path("usage"));
        reply.status = Message.COMPLETE;
    }

    /**
     * Stops a streamed generation in flight (by its user message's id or its reply's): the reply is stored as
     * {@code cancelled} with the text generated so far. False when none of this user's is in flight on this replica.
     */
    public boolean cancel(UUID userId, UUID messageId) {
        return cancelHere(userId, messageId);
    }

    /**
     * Asks the other replicas to stop the user's generation of {@code messageId} (call only for a user message of the
     * caller's that has no complete answer yet); true when the replica running it answered.
     */
    public boolean cancelElsewhere(UUID userId, UUID messageId) {
        return events.cancelElsewhere(userId, messageId, config.cancelWait());
    }

    private boolean cancelHere(UUID userId, UUID messageId) {
        Generation g = inFlight.get(messageId);
        if (g == null || !g.userId.equals(userId)) {
            return false;
        }
        g.cancel();
        return true;
    }

    private void readStream(GatewayClient.Answer answer, Message reply, TurnSink sink, Generation generation, long start)
            throws IOException {
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        boolean done = false;
        sink.reading(answer.stream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(answer.stream(), StandardCharsets.UTF_8))) {
            String line;
            while (!sink.gone() && !generation.cancelled && (line = in.readLine()) != null) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if ("[DONE]".equals(data)) {
                    done = true;
                    break;
                }
                JsonNode chunk = mapper.readTree(data);
                if (chunk.has("error")) {
                    reply.content = text.toString();
                    failed(reply, chunk.path("error").path("code").asText("UPSTREAM_ERROR").toUpperCase(Locale.ROOT),
                            chunk.path("error").path("message").asText("The provider's stream broke off."));
                    return;
                }
                JsonNode delta = chunk.path("choices").path(0).path("delta");
                String piece = delta.path("content").asText("");
                if (!piece.isEmpty()) {
                    if (reply.ttftMs == null) {
                        reply.ttftMs = (int) ((System.nanoTime() - start) / 1_000_000);
                    }
                    text.append(piece);
                    sink.delta(piece);
                }
                if (delta.hasNonNull("reasoning_content")) {
                    reasoning.append(delta.get("reasoning_content").asText());
                }
                JsonNode finish = chunk.path("choices").path(0).path("finish_reason");
                if (finish.isTextual()) {
                    reply.finishReason = finish.asText();
                }
                if (chunk.path("usage").isObject()) {
                    usage(reply, chunk.get("usage"));
                }
            }
        } catch (IOException e) {
            if (!sink.gone() && !generation.cancelled) {
                reply.content = text.toString();
                reply.reasoning = reasoning.isEmpty() ? null : reasoning.toString();
                failed(reply, "STREAM_BROKEN", "The stream from the gateway broke off: " + e.getMessage());
                return;
            }
        }
        reply.content = text.toString();
        reply.reasoning = reasoning.isEmpty() ? null : reasoning.toString();
        if (generation.cancelled) {
            reply.status = Message.CANCELLED;
        } else if (sink.gone()) {
            reply.status = Message.PARTIAL; // the client left: what was generated so far is kept
        } else if (done) {
            reply.status = Message.COMPLETE;
        } else {
            failed(reply, "STREAM_BROKEN", "The gateway's stream ended before it was complete.");
        }
    }

    private static void usage(Message reply, JsonNode u) {
        if (u.isObject()) {
            reply.promptTokens = u.path("prompt_tokens").isNumber() ? u.get("prompt_tokens").asInt() : null;
            reply.completionTokens = u.path("completion_tokens").isNumber() ? u.get("completion_tokens").asInt() : null;
        }
    }

    /** The images of the branch's messages as data URLs, by message id (one query). */
    private Map<UUID, List<String>> imagesOf(List<Message> history, Message user) {
        List<UUID> ids = new ArrayList<>();
        history.forEach(m -> ids.add(m.id));
        ids.add(user.id);
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<UUID, List<String>> out = new java.util.HashMap<>();
            for (dev.parley.session.entity.Attachment a : attachments.ofMessages(ids)) {
                out.computeIfAbsent(a.messageId, k -> new ArrayList<>())
                        .add("data:" + a.mediaType + ";base64," + java.util.Base64.getEncoder().encodeToString(a.data));
            }
            return out;
        });
    }

    /** The session's and the turn's parameters in OpenAI's request fields. */
    private void applyParams(ObjectNode request, Map<String, Object> params) {
        ObjectMapper m = mapper;
        params.forEach((k, v) -> {
            switch (k) {
                case "temperature", "top_p", "max_tokens", "stop", "presence_penalty", "frequency_penalty", "seed",
                     "response_format", "tools", "tool_choice" -> request.set(k, m.valueToTree(v));
                case "reasoning", "reasoning_effort" -> request.put("reasoning_effort", String.valueOf(v));
                default -> { } // unknown keys stay with the session, not sent
            }
        });
    }

    private static List<Map<String, Object>> exchange(Message user, Message reply) {
        List<Map<String, Object>> exchange = new ArrayList<>();
        for (Message m : List.of(user, reply)) {
            exchange.add(Map.of("id", m.id.toString(), "role", m.role, "content", m.content));
        }
        return exchange;
    }

    @PreDestroy
    void stop() {
        background.shutdownNow();
    }

    // ---- validation -------------------------------------------------------------------------------------------------

    static ApiException invalid(String field, String message) {
        return new ApiException(400, "VALIDATION_FAILED", message, Map.of("fields", Map.of(field, message)));
    }

    static ApiException messageNotFound() {
        return ApiException.notFound("MESSAGE_NOT_FOUND", "No such message.");
    }

    static ApiException sessionNotFound() {
        return ApiException.notFound("SESSION_NOT_FOUND", "No such session.");
    }

    private static String optionalText(JsonNode body, String field, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > max) {
            throw invalid(field, field + " must be a non-empty string of at most " + max + " characters.");
        }
        return v.asText();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> params(JsonNode v) {
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw invalid("llm_params", "llm_params must be an object.");
        }
        return mapper.convertValue(v, LinkedHashMap.class);
    }

    private static UUID uuid(JsonNode v, String field) {
        try {
            return UUID.fromString(v.asText());
        } catch (IllegalArgumentException e) {
            throw invalid(field, field + " must be a UUID.");
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
