package dev.parley.session.service;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.parley.platform.error.ApiException;
import dev.parley.platform.http.Uuids;
import dev.parley.session.client.ChatRequest;
import dev.parley.session.client.ChatStream;
import dev.parley.session.client.GatewayClient;
import dev.parley.session.client.GatewayError;
import dev.parley.session.client.MemoryClient;
import dev.parley.session.config.SessionConfig;
import dev.parley.session.entity.Attachment;
import dev.parley.session.entity.ChatSession;
import dev.parley.session.entity.Message;
import dev.parley.session.repository.AttachmentRepository;
import dev.parley.session.repository.MessageRepository;
import dev.parley.session.repository.SessionRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.exception.ConstraintViolationException;

/**
 * A turn: store the user message ({@link #send}, through {@link NewMessages}; with {@code generate: false} that is all)
 * or pick the one to answer again ({@link #regenerate}), build the context (system prompt, memories, the branch's
 * history within the model's window), call the gateway (reading its answer with {@link ReplyReader}), store the reply
 * with how it was made, and in AUTO mode owe memory-service the exchange. No database transaction is open while
 * the gateway answers. Streamed generations are registered with {@link Generations} (so they can be cancelled) and
 * an untitled session is handed to {@link Titles}.
 */
@ApplicationScoped
public class TurnService {
    /**
     * A new user message (already checked): {@code parent} null continues the active branch, {@code Optional.empty()}
     * starts a branch at the root, a message id answers from there; {@code model} null: the session's.
     */
    public record NewTurn(String content, Optional<UUID> parent, String model, Map<String, Object> params, boolean generate,
                          String role, String modelUsed) {
        /** A user message the model answers. */
        public NewTurn(String content, Optional<UUID> parent, String model, Map<String, Object> params) {
            this(content, parent, model, params, true, "user", null);
        }
    }

    public record TurnResult(Message user, Message assistant, boolean replay) { }

    private final SessionRepository sessions;
    private final MessageRepository messages;
    private final AttachmentRepository attachments;
    private final GatewayClient gateway;
    private final MemoryClient memory;
    private final SessionEvents events;
    private final SessionConfig config;
    private final Generations generations;
    private final Titles titles;
    private final MemoryExtractions extractions;
    private final NewMessages newMessages;

    public TurnService(SessionRepository sessions, MessageRepository messages, AttachmentRepository attachments,
                       GatewayClient gateway, MemoryClient memory, SessionConfig config, SessionEvents events,
                       Generations generations, Titles titles, MemoryExtractions extractions, NewMessages newMessages) {
        this.sessions = sessions;
        this.messages = messages;
        this.attachments = attachments;
        this.newMessages = newMessages;
        this.gateway = gateway;
        this.memory = memory;
        this.config = config;
        this.events = events;
        this.generations = generations;
        this.titles = titles;
        this.extractions = extractions;
    }

    // ---- a new message --------------------------------------------------------------------------------------------

    public TurnResult send(UUID userId, UUID sessionId, NewTurn turn, String idempotencyKey, TurnSink sink) {
        return send(userId, sessionId, turn, idempotencyKey, List.of(), sink);
    }

    /**
     * A turn: the new message stored, then the model's reply. With {@code turn.generate()} false, only the message is
     * stored (a user message or an imported assistant one): no gateway call, no memory extraction, no title; the
     * result names it in its role's place, the other null.
     */
    public TurnResult send(UUID userId, UUID sessionId, NewTurn turn, String idempotencyKey, List<Upload> images, TurnSink sink) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw Errors.invalid("Idempotency-Key", "Idempotency-Key must be 1 to 255 characters.");
        }
        NewMessages.Prepared p;
        try {
            p = QuarkusTransaction.requiringNew().call(() -> newMessages.prepare(userId, sessionId, turn, idempotencyKey, images));
        } catch (RuntimeException e) {
            if (idempotencyKey != null && causedBy(e, ConstraintViolationException.class)) {
                // the same key sent twice at once: the other request stored the turn
                p = QuarkusTransaction.requiringNew().call(() -> newMessages.replay(userId, sessionId, idempotencyKey));
            } else {
                throw e;
            }
        }
        if (sink != null) {
            sink.created(p.user());
        }
        if (!turn.generate()) {
            Message stored = p.user();
            return "assistant".equals(stored.role) ? new TurnResult(null, stored, p.replay()) : new TurnResult(stored, null, p.replay());
        }
        if (p.replay()) {
            if (sink != null && p.replayAnswer() != null) {
                sink.completed(p.replayAnswer());
            }
            return new TurnResult(p.user(), p.replayAnswer(), true);
        }
        Message assistant = generate(userId, p.session(), p.user(), p.history(), turn.model(), turn.params(), sink, true);
        return new TurnResult(p.user(), assistant, false);
    }

    // ---- regenerate -------------------------------------------------------------------------------------------------

    /** A new sibling of an assistant message: the same user message answered again. */
    public Message regenerate(UUID userId, UUID assistantId, String model, Map<String, Object> params, TurnSink sink) {
        NewMessages.Prepared p = QuarkusTransaction.requiringNew().call(() -> {
            Message old = messages.ofUser(userId, assistantId).orElseThrow(Errors::messageNotFound);
            if (!"assistant".equals(old.role) || old.parentMessageId == null) {
                throw Errors.invalid("message_id", "Only an assistant message can be regenerated.");
            }
            ChatSession session = sessions.ofUser(userId, old.sessionId).orElseThrow(Errors::sessionNotFound);
            Message user = messages.findById(old.parentMessageId);
            if (!"user".equals(user.role)) {
                // an imported answer that follows another answer: there is no user message to answer again
                throw Errors.invalid("message_id", "Only an answer to a user message can be regenerated.");
            }
            List<Message> history = user.parentMessageId == null ? List.of() : messages.chain(session.id, user.parentMessageId);
            return new NewMessages.Prepared(session, user, history, null, false);
        });
        if (sink != null) {
            sink.created(p.user());
        }
        return generate(userId, p.session(), p.user(), p.history(), model, params, sink, false);
    }

    // ---- generating the reply ---------------------------------------------------------------------------------------

    private Message generate(UUID userId, ChatSession session, Message user, List<Message> history, String modelOverride,
                             Map<String, Object> paramsOverride, TurnSink sink, boolean dropUserOnRefusal) {
        String model = modelOverride != null ? modelOverride : session.model != null ? session.model : config.defaultModel();
        Map<String, Object> params = new LinkedHashMap<>(session.llmParams == null ? Map.of() : session.llmParams);
        if (session.thinking != null) {
            params.put("thinking", session.thinking); // the session's own setting, over its llm_params
        }
        params.putAll(paramsOverride); // the turn's parameters and thinking win
        GatewayClient.ModelInfo info = gateway.model(userId, model);
        int reserved = params.get("max_tokens") instanceof Number n ? n.intValue() : config.reservedOutputTokens();
        boolean memoryAsked = !"DISABLED".equals(session.memoryMode);
        MemoryClient.Context mem = memoryAsked
                ? memory.context(userId, session.id, user.content, config.memoryTokenBudget())
                : new MemoryClient.Context(true, List.of(), "");
        ContextBuilder.Built built = ContextBuilder.build(session.systemPrompt, mem, memoryAsked, history, user,
                info.contextWindow(), reserved, imagesOf(history, user));

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

        boolean stream = sink != null;
        ChatRequest request = ChatRequest.of(model, built.messages(), params, stream);
        long start = System.nanoTime();
        Generations.Generation generation = stream ? generations.start(userId, user.id, reply.id) : null;
        try {
            if (stream) {
                try (ChatStream answer = gateway.chatStream(userId, session.id, reply.id, request)) {
                    reply.deployment = answer.deployment();
                    generation.reading(answer);
                    ReplyReader.stream(answer, reply, sink, generation, start);
                }
            } else {
                GatewayClient.Completed answer = gateway.chat(userId, session.id, reply.id, request);
                reply.deployment = answer.deployment();
                ReplyReader.completed(answer.completion(), reply);
            }
        } catch (GatewayError e) {
            reply.deployment = e.deployment();
            refused(e, reply, user, dropUserOnRefusal);
        } catch (IOException e) {
            ReplyReader.failed(reply, "GATEWAY_UNAVAILABLE", "The gateway could not be reached or stopped answering: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ReplyReader.failed(reply, "INTERRUPTED", "The turn was interrupted.");
        } finally {
            if (generation != null) {
                generations.end(generation, user.id, reply.id);
            }
        }
        reply.responseTimeMs = (int) ((System.nanoTime() - start) / 1_000_000);
        if (reply.deployment != null && reply.provider == null) {
            int slash = reply.deployment.indexOf('/');
            reply.provider = slash > 0 ? reply.deployment.substring(0, slash) : reply.deployment;
        }
        store(userId, session, user, reply, sink, model, mem);
        return reply;
    }

    /**
     * Stores the reply (it becomes the active leaf), tells the stream, owes extraction (the reply's
     * {@code context.memory_extraction} says whether it was queued or why not), titles the session.
     */
    private void store(UUID userId, ChatSession session, Message user, Message reply, TurnSink sink, String model,
                       MemoryClient.Context mem) {
        reply.createdAt = Instant.now();
        Map<String, Object> extraction = MemoryExtractions.decide(session.memoryMode, reply.status, model, mem);
        reply.context.put(MemoryExtractions.CONTEXT_KEY, extraction);
        boolean extract = MemoryExtractions.QUEUED.equals(extraction.get("status"));
        QuarkusTransaction.requiringNew().run(() -> {
            messages.persist(reply);
            sessions.activeLeaf(session.id, reply.id, reply.createdAt);
            events.publish(session.id, "message.completed", Map.of("session_id", session.id, "message_id", reply.id,
                    "parent_message_id", user.id, "status", reply.status));
            if (extract) {
                // owed in the reply's own transaction: a memory-service outage delays extraction, never loses it
                extractions.owe(user, reply, model);
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
            titles.titleLater(userId, session.id, model, user.content, reply.content);
        }
    }

    /** The gateway refused the call (4xx: unknown model, no provider key, rate limit, budget): nothing is kept. */
    private void refused(GatewayError e, Message reply, Message user, boolean dropUser) {
        String code = e.code() != null ? e.code() : "GATEWAY_ERROR";
        String message = e.gatewayMessage() != null ? e.gatewayMessage() : "The gateway answered HTTP " + e.status() + ".";
        if (e.status() >= 500) {
            ReplyReader.failed(reply, code, message);
            return;
        }
        if (dropUser) {
            QuarkusTransaction.requiringNew().run(() -> {
                messages.deleteById(user.id);
                sessions.activeLeafBack(user.sessionId, user.id, user.parentMessageId);
                events.publish(user.sessionId, "message.deleted", Map.of("session_id", user.sessionId, "message_id", user.id));
            });
        }
        throw new ApiException(e.status() == 401 || e.status() == 403 ? 502 : e.status(), code, message);
    }

    /** The images of the branch's messages as data URLs, by message id (one query). */
    private Map<UUID, List<String>> imagesOf(List<Message> history, Message user) {
        List<UUID> ids = new ArrayList<>();
        history.forEach(m -> ids.add(m.id));
        ids.add(user.id);
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<UUID, List<String>> out = new HashMap<>();
            for (Attachment a : attachments.ofMessages(ids)) {
                out.computeIfAbsent(a.messageId, k -> new ArrayList<>()).add(new Upload(a.data, a.mediaType).dataUrl());
            }
            return out;
        });
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
