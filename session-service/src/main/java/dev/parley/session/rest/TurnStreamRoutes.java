package dev.parley.session.rest;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.config.HttpConfig;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.error.BodyErrors;
import dev.parley.platform.http.ErrorWriter;
import dev.parley.platform.json.RequestBodies;
import dev.parley.platform.ratelimit.ApiRateLimiter;
import dev.parley.session.config.SessionConfig;
import dev.parley.session.entity.Message;
import dev.parley.session.service.TurnService;
import dev.parley.session.service.TurnSink;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Streamed turns: {@code POST /api/v1/sessions/{id}/messages} and {@code POST /api/v1/messages/{id}/regenerate} with
 * {@code Accept: text/event-stream} answer SSE events {@code message.created} (the user message), {@code delta}
 * ({@code {"text"}}) and {@code reasoning.delta} ({@code {"text"}}, the model's reasoning, kept apart), then
 * {@code message.completed} (the assistant message) or {@code error}, with a {@code : keep-alive} comment after
 * {@code heartbeat-interval} of silence ({@code generate: false}: {@code message.created} alone). A client that
 * leaves stops the generation; the reply is stored as {@code partial} with what was generated. Each counts against the
 * caller's generation limit (a {@code generate: false} one as a request), checked once the body has arrived and
 * before anything is stored. Other requests
 * to these paths pass on to the JSON API.
 */
@ApplicationScoped
public class TurnStreamRoutes {
    private static final String SSE = "parley.sse";

    private final TurnService turns;
    private final ApiRateLimiter limiter;
    private final RequestBodies bodies;
    private final ObjectMapper mapper;
    private final ErrorWriter errors;
    private final Vertx vertx;
    private final long heartbeatMs;
    private final long bodyLimit;
    private final SessionConfig config;
    private final String uploadsDir;

    public TurnStreamRoutes(TurnService turns, RequestBodies bodies, ErrorWriter errors, Vertx vertx, SessionConfig config,
                            HttpConfig http, ApiRateLimiter limiter) {
        this.turns = turns;
        this.limiter = limiter;
        this.bodies = bodies;
        this.mapper = bodies.mapper();
        this.errors = errors;
        this.vertx = vertx;
        this.heartbeatMs = config.heartbeatInterval().toMillis();
        this.bodyLimit = http.maxBodySize().asLongValue();
        this.config = config;
        this.uploadsDir = System.getProperty("java.io.tmpdir") + "/parley-session-uploads";
    }

    void register(@Observes Router router) {
        stream(router, "/api/v1/sessions/:id/messages", (rc, ctx) -> {
            UUID owner = SessionResource.owner(ctx.caller);
            UUID id = SessionResource.uuid(rc.pathParam("id"), "session_id");
            Requests.NewMessage body = ctx.form != null ? ctx.form : bodies.read(ctx.json, Requests.NewMessage.class);
            if (body == null) {
                throw BodyErrors.field("body", "Send {\"content\":\"…\"}.");
            }
            if (!ctx.images.isEmpty() && "assistant".equals(body.role())) {
                throw BodyErrors.field("image", "Images go with user messages only.");
            }
            turns.send(owner, id, SessionResource.turn(mapper, body), rc.request().getHeader("Idempotency-Key"), ctx.images, ctx.sink);
            return null;
        });
        stream(router, "/api/v1/messages/:id/regenerate", (rc, ctx) -> {
            UUID owner = SessionResource.owner(ctx.caller);
            Requests.Regeneration body = ctx.json == null || ctx.json.isNull() ? Requests.Regeneration.NONE
                    : bodies.read(ctx.json, Requests.Regeneration.class);
            turns.regenerate(owner, SessionResource.uuid(rc.pathParam("id"), "message_id"), body.model(),
                    SessionResource.withThinking(mapper, SessionResource.params(mapper, body.llmParams()), body.thinking()), ctx.sink);
            return null;
        });
    }

    /** The request: its JSON body, or the turn a multipart form carries and its images. */
    private record Ctx(Caller caller, JsonNode json, Requests.NewMessage form, List<dev.parley.session.service.Upload> images, Sink sink) { }

    /** Three routes per path so that a request that does not ask for SSE passes on to Quarkus REST untouched. */
    private void stream(Router router, String path, BiFunction<RoutingContext, Ctx, Void> turn) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(bodyLimit);
        // a multipart turn (images): files to a temporary directory, deleted when the request ends
        BodyHandler form = BodyHandler.create(uploadsDir).setBodyLimit(bodyLimit).setDeleteUploadedFilesOnEnd(true)
                .setMergeFormAttributes(false);
        router.post(path).handler(rc -> {
            String accept = rc.request().getHeader("Accept");
            if (accept != null && accept.contains("text/event-stream")) {
                rc.put(SSE, Boolean.TRUE);
            }
            rc.next();
        });
        router.post(path).handler(rc -> {
            if (rc.get(SSE) == null) {
                rc.next();
            } else if (multipart(rc)) {
                form.handle(rc);
            } else {
                body.handle(rc);
            }
        });
        router.post(path).handler(rc -> {
            if (rc.get(SSE) == null) {
                rc.next();
                return;
            }
            QuarkusHttpUser.getSecurityIdentity(rc, null).subscribe().with(identity -> {
                Caller caller = Caller.of(identity).orElse(null);
                if (caller == null) {
                    errors.write(rc, 401, "UNAUTHENTICATED", "Authentication is required: send a valid bearer token", Map.of());
                    return;
                }
                boolean multipart = multipart(rc);
                JsonNode json;
                try {
                    // no body at all (a bare POST): no buffer, not an empty one
                    var sent = multipart || rc.body() == null ? null : rc.body().buffer();
                    json = sent == null || sent.length() == 0 ? null : mapper.readTree(sent.getBytes());
                } catch (IOException e) {
                    errors.write(rc, 400, "MALFORMED_JSON", "The body is not valid JSON.", Map.of());
                    return;
                }
                // a streamed turn is a generation, as its JSON form is, unless it stores a message only (generate:
                // false): counted before anything is stored, a refused one stores nothing
                String generate = multipart ? rc.request().getFormAttribute("generate") : json == null ? null : json.path("generate").asText(null);
                try {
                    limiter.check(caller, rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress(),
                            "false".equals(generate == null ? null : generate.strip())
                                    ? ApiRateLimiter.Kind.REQUESTS : ApiRateLimiter.Kind.GENERATIONS);
                } catch (ApiException e) {
                    refuse(rc, e);
                    return;
                }
                Sink sink = new Sink(rc);
                vertx.executeBlocking(() -> {
                    if (!multipart) {
                        return turn.apply(rc, new Ctx(caller, json, null, List.of(), sink));
                    }
                    // images are read and checked (count, size, type by content) before anything is stored
                    var attrs = rc.request().formAttributes();
                    Requests.NewMessage fields = bodies.valid(SessionResource.formMessage(mapper, new SessionResource.Form(
                            attrs.get("content"), attrs.get("parent_message_id"), attrs.get("model"), attrs.get("llm_params"),
                            attrs.get("thinking"), attrs.get("generate"), attrs.get("role"), attrs.get("model_used"))));
                    List<SessionResource.Uploaded> files = rc.fileUploads().stream()
                            .filter(f -> "image".equals(f.name()))
                            .map(f -> new SessionResource.Uploaded(f.fileName(), f.size(), java.nio.file.Path.of(f.uploadedFileName())))
                            .toList();
                    return turn.apply(rc, new Ctx(caller, null, fields, SessionResource.uploads(files, config), sink));
                }, false).onComplete(ar -> {
                    if (ar.failed()) {
                        sink.fail(ar.cause());
                    }
                    sink.finish();
                });
            }, failure -> errors.write(rc, 401, "UNAUTHENTICATED", "Authentication is required: send a valid bearer token", Map.of()));
        });
    }

    /** An error before the stream started, in the platform's shape (a 429 with its Retry-After). */
    private void refuse(RoutingContext rc, ApiException e) {
        Object retry = e.details() == null ? null : e.details().get("retry_after_seconds");
        if (retry != null) {
            rc.response().putHeader("Retry-After", retry.toString());
        }
        errors.write(rc, e.status(), e.code(), e.getMessage(), e.details() == null ? Map.of() : e.details());
    }

    private static boolean multipart(RoutingContext rc) {
        String type = rc.request().getHeader("Content-Type");
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data");
    }

    /** Writes the events; thread-safe (Vert.x response writes from the worker thread are dispatched to its loop). */
    private final class Sink implements TurnSink {
        private final RoutingContext rc;
        private final HttpServerResponse response;
        private volatile boolean gone;
        private volatile boolean started;
        private volatile boolean ended;
        private volatile long lastWrite = System.currentTimeMillis();
        private volatile Closeable upstream;
        private final long timer;

        Sink(RoutingContext rc) {
            this.rc = rc;
            this.response = rc.response();
            response.closeHandler(v -> leave());
            rc.request().connection().closeHandler(v -> leave());
            timer = vertx.setPeriodic(Math.max(100, heartbeatMs / 3), id -> {
                if (started && !ended && System.currentTimeMillis() - lastWrite >= heartbeatMs) {
                    write(": keep-alive\n\n");
                }
            });
        }

        private void leave() {
            if (ended) {
                return;
            }
            gone = true;
            Closeable u = upstream;
            if (u != null) {
                try {
                    u.close();
                } catch (IOException ignored) {
                    // the stream is going away anyway
                }
            }
        }

        private synchronized void start() {
            if (!started) {
                started = true;
                response.setStatusCode(200).setChunked(true)
                        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                        .putHeader("Cache-Control", "no-cache")
                        .putHeader("X-Accel-Buffering", "no");
            }
        }

        private synchronized void write(String text) {
            if (ended || gone) {
                return;
            }
            start();
            response.write(Buffer.buffer(text));
            lastWrite = System.currentTimeMillis();
        }

        private void event(String name, Object data) {
            try {
                write("event: " + name + "\ndata: " + mapper.writeValueAsString(data) + "\n\n");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void created(Message user) {
            event("message.created", Views.MessageView.of(user));
        }

        @Override
        public void delta(String text) {
            event("delta", Map.of("text", text));
        }

        @Override
        public void reasoning(String text) {
            event("reasoning.delta", Map.of("text", text));
        }

        @Override
        public void completed(Message assistant) {
            event("message.completed", Views.MessageView.of(assistant));
        }

        @Override
        public void error(int status, String code, String message) {
            event("error", Map.of("error", Map.of("code", code, "message", message, "status", status)));
        }

        @Override
        public void failed(Message assistant) {
            Object code = assistant.error == null ? "GENERATION_FAILED" : assistant.error.get("code");
            Object message = assistant.error == null ? "The generation failed." : assistant.error.get("message");
            event("error", Map.of("error", Map.of("code", String.valueOf(code), "message", String.valueOf(message), "status", 502),
                    "message", Views.MessageView.of(assistant)));
        }

        @Override
        public boolean gone() {
            return gone;
        }

        @Override
        public void reading(Closeable upstream) {
            this.upstream = upstream;
            if (gone) {
                leave();
            }
        }

        void fail(Throwable cause) {
            int status = cause instanceof ApiException a ? a.status() : 500;
            String code = cause instanceof ApiException a ? a.code() : "INTERNAL_ERROR";
            String message = cause instanceof ApiException ? cause.getMessage() : "The turn failed.";
            if (!started) {
                ended = true;
                vertx.cancelTimer(timer);
                if (cause instanceof ApiException a) {
                    refuse(rc, a);
                } else {
                    errors.write(rc, status, code, message, Map.of());
                }
                return;
            }
            error(status, code, message);
        }

        synchronized void finish() {
            vertx.cancelTimer(timer);
            if (ended) {
                return;
            }
            ended = true;
            if (!gone) {
                start();
                response.end();
            }
        }
    }
}
