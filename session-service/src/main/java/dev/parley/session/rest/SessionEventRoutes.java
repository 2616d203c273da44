package dev.parley.session.rest;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.http.ErrorWriter;
import dev.parley.session.config.SessionConfig;
import dev.parley.session.service.SessionEvents;
import dev.parley.session.service.SessionService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code GET /api/v1/sessions/{id}/events}: the session's events as SSE (`message.created`, `message.completed`,
 * `message.deleted`, `title.changed`, `session.updated`; data: small JSON with ids), whichever replica made the
 * change. Each event has an {@code id:}; a client reconnecting with {@code Last-Event-ID} first gets what it missed in
 * the last hour. A {@code : keep-alive} comment goes out after {@code heartbeat-interval} of silence.
 */
@ApplicationScoped
public class SessionEventRoutes {
    private final SessionService sessions;
    private final SessionEvents events;
    private final ErrorWriter errors;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final long heartbeatMs;

    public SessionEventRoutes(SessionService sessions, SessionEvents events, ErrorWriter errors, ObjectMapper mapper,
                              Vertx vertx, SessionConfig config) {
        this.sessions = sessions;
        this.events = events;
        this.errors = errors;
        this.mapper = mapper;
        this.vertx = vertx;
        this.heartbeatMs = config.heartbeatInterval().toMillis();
    }

    void register(@Observes Router router) {
        router.get("/api/v1/sessions/:id/events").handler(this::open);
    }

    private void open(RoutingContext rc) {
        QuarkusHttpUser.getSecurityIdentity(rc, null).subscribe().with(identity -> {
            Caller caller = Caller.of(identity).orElse(null);
            if (caller == null) {
                errors.write(rc, 401, "UNAUTHENTICATED", "Authentication is required: send a valid bearer token", Map.of());
                return;
            }
            UUID owner;
            UUID sessionId;
            long after;
            try {
                owner = SessionResource.owner(caller);
                sessionId = SessionResource.uuid(rc.pathParam("id"), "session_id");
                String last = rc.request().getHeader("Last-Event-ID");
                after = last == null || last.isBlank() ? -1 : Long.parseLong(last.trim());
            } catch (ApiException e) {
                errors.write(rc, e.status(), e.code(), e.getMessage(), Map.of());
                return;
            } catch (NumberFormatException e) {
                errors.write(rc, 400, "VALIDATION_FAILED", "Last-Event-ID must be an event id this stream sent.", Map.of());
                return;
            }
            Stream stream = new Stream(rc.response());
            Runnable unsubscribe = events.subscribe(sessionId, stream::send);
            vertx.executeBlocking(() -> QuarkusTransaction.requiringNew().call(() -> {
                sessions.get(owner, sessionId); // 404 for anyone but the owner
                return after < 0 ? List.<SessionEvents.Event>of() : events.since(sessionId, after);
            }), false).onComplete(ar -> {
                if (ar.failed()) {
                    unsubscribe.run();
                    ApiException e = ar.cause() instanceof ApiException a ? a : new ApiException(500, "INTERNAL_ERROR", "Internal error");
                    errors.write(rc, e.status(), e.code(), e.getMessage(), Map.of());
                    return;
                }
                stream.start(unsubscribe);
                ar.result().forEach(stream::send);
            });
        }, failure -> errors.write(rc, 401, "UNAUTHENTICATED", "Authentication is required: send a valid bearer token", Map.of()));
    }

    private final class Stream {
        private final HttpServerResponse response;
        private boolean started;
        private boolean closed;
        private long lastId = -1;
        private long lastWrite = System.currentTimeMillis();
        private final java.util.List<SessionEvents.Event> early = new java.util.ArrayList<>();
        private long timer = -1;

        Stream(HttpServerResponse response) {
            this.response = response;
        }

        synchronized void start(Runnable unsubscribe) {
            started = true;
            response.setStatusCode(200).setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            response.write(": connected\n\n");
            response.closeHandler(v -> close(unsubscribe));
            timer = vertx.setPeriodic(Math.max(100, heartbeatMs / 3), id -> heartbeat());
            List<SessionEvents.Event> pending = new java.util.ArrayList<>(early);
            early.clear();
            pending.forEach(this::send);
        }

        private synchronized void close(Runnable unsubscribe) {
            closed = true;
            unsubscribe.run();
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }

        private synchronized void heartbeat() {
            if (!closed && System.currentTimeMillis() - lastWrite >= heartbeatMs) {
                response.write(": keep-alive\n\n");
                lastWrite = System.currentTimeMillis();
            }
        }

        /** Events arrive from the listener and the resume query: each is written once, in id order. */
        synchronized void send(SessionEvents.Event e) {
            if (closed) {
                return;
            }
            if (!started) {
                early.add(e);
                return;
            }
            if (e.id() <= lastId) {
                return;
            }
            lastId = e.id();
            try {
                response.write(Buffer.buffer("id: " + e.id() + "\nevent: " + e.type() + "\ndata: "
                        + mapper.writeValueAsString(e.data()) + "\n\n"));
                lastWrite = System.currentTimeMillis();
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }
}
