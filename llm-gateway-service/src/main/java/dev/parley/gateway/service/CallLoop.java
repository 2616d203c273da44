package dev.parley.gateway.service;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.client.UpstreamHttp;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.openai.OpenAiErrors;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.Thinking;
import dev.parley.gateway.provider.Provider;
import dev.parley.platform.egress.EgressException;
import dev.parley.platform.egress.EgressPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * One chat completion or embeddings call, driven by callbacks on the request's event loop (never blocking it).
 * Deployments are tried in order; on a connect error, a timeout, a 429 or a 5xx the same deployment is tried again
 * with jittered exponential backoff (or the provider's Retry-After), then the next deployment takes over, as long as
 * nothing has reached the client and the request deadline allows. What a failed answer means is the provider's call
 * ({@link Provider#next}); a deployment whose circuit is open is skipped. The answer itself is the
 * {@link StreamRelay}'s or the {@link CompletionAnswer}'s; the {@link CallMeter} records the call exactly once.
 */
final class CallLoop {
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /** What every call loop uses, shared by all calls. */
    record Services(Vertx vertx, UpstreamHttp upstream, EgressPolicy egress, CircuitBreakers breakers, ProviderKeys keys,
                    GatewayMetrics metrics, OpenAiErrors errors, IdempotencyStore idempotency, ObjectMapper mapper,
                    RetryPolicy retry, long deadlineNanos, long heartbeatNanos, int maxResponseBytes, ModelCatalog catalog) { }

    private final Services s;
    private final RoutingContext rc;
    private final CallContext call;
    private final ObjectNode request;
    private final List<Target> targets;
    private final boolean stream;
    private final boolean embeddings;
    private final CallMeter meter;
    private final StreamRelay relay;
    private final CompletionAnswer answer;

    private int index;
    private int attempt;
    private Target current;
    private HttpClientRequest inflight;
    private OpenAiException lastError;
    private boolean finished;

    CallLoop(Services s, RoutingContext rc, CallContext call, ObjectNode request, List<Target> targets, boolean embeddings,
             CallMeter meter) {
        this.s = s;
        this.rc = rc;
        this.call = call;
        this.request = request;
        this.targets = targets;
        this.embeddings = embeddings;
        this.stream = !embeddings && request.path("stream").asBoolean(false);
        this.meter = meter;
        boolean clientWantsUsage = request.path("stream_options").path("include_usage").asBoolean(false);
        this.relay = stream ? new StreamRelay(this, rc.response(), meter, s.vertx(), s.mapper(), s.metrics(),
                s.heartbeatNanos(), clientWantsUsage) : null;
        this.answer = stream ? null : new CompletionAnswer(this, rc.response(), call, request, embeddings, meter, s.mapper(),
                s.idempotency(), s.metrics(), s.maxResponseBytes());
    }

    void start() {
        // Vert.x Web calls end handlers with a failure when the connection closes before the answer ended.
        rc.addEndHandler(ar -> {
            if (ar.failed()) {
                clientGone();
            }
        });
        if (relay != null) {
            relay.start();
        }
        next();
    }

    // ---- what the answer's parts ask -----------------------------------------------------------------------------

    boolean finished() {
        return finished;
    }

    /** The deployment being tried (the first before any attempt). */
    Target currentTarget() {
        return current != null ? current : targets.get(0);
    }

    /** A good answer started: the deployment's circuit counts a success. */
    void answering(Target t) {
        if (t.api().circuitBreaker()) {
            s.breakers().success(t.circuitKey());
        }
    }

    /** The answer ends now; false when the call had already ended (the client went away meanwhile). */
    boolean complete() {
        if (finished) {
            return false;
        }
        finished = true;
        if (relay != null) {
            relay.stop();
        }
        return true;
    }

    /** Closes the attempt's connection (the provider stops generating). */
    void resetUpstream() {
        if (inflight != null) {
            inflight.reset();
        }
    }

    /** The attempt failed with an answer that is no answer (bad, empty, an error event): once more, or the next one. */
    void attemptFailed(Target t, OpenAiException e) {
        meter.attemptEnded();
        breakerFailure(t);
        lastError = e;
        retryOrMoveOn(t, -1);
    }

    /** The provider could not be reached, went silent, or its connection broke before anything was sent. */
    void attemptBroke(Target t, Throwable cause) {
        if (finished) {
            return;
        }
        meter.attemptEnded();
        boolean timeout = cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout");
        s.metrics().upstreamError(label(t), timeout ? "timeout" : "connect");
        breakerFailure(t);
        lastError = t.api().unreachable(t.provider(), timeout, t.timeout());
        retryOrMoveOn(t, -1);
    }

    /** The call ends with this error: a JSON error, or an error event once the stream has started. */
    void fail(OpenAiException e) {
        if (!complete()) {
            return;
        }
        if (call.claim() != null) {
            s.idempotency().release(call.claim());
        }
        s.errors().write(rc, e);
        meter.record(currentTarget(), committed() ? 200 : e.status(), UsageEvent.ERROR, null);
    }

    // ---- choosing and calling deployments ------------------------------------------------------------------------

    private void next() {
        if (finished) {
            return;
        }
        if (System.nanoTime() - call.startNanos() > s.deadlineNanos()) {
            fail(lastError != null ? lastError : new OpenAiException(504, "server_error", "timeout", null,
                    "No deployment answered within the gateway's request deadline."));
            return;
        }
        if (index >= targets.size()) {
            fail(lastError != null ? lastError : new OpenAiException(502, "server_error", "upstream_unavailable", null,
                    "No deployment of this model could serve the request."));
            return;
        }
        current = targets.get(index);
        Provider api = current.api();
        OpenAiException refusal = api.refuse(embeddings);
        if (refusal != null) {
            fail(refusal);
        } else if (api.local() != null) {
            answerLocally(current, api.local());
        } else {
            attempt(current);
        }
    }

    private void answerLocally(Target t, Provider.LocalModel model) {
        meter.answeringLocally();
        if (stream) {
            relay.relayLocal(t, model.chunks(request));
        } else {
            answer.local(t, model.completion(request));
        }
    }

    private void attempt(Target t) {
        Provider api = t.api();
        if (api.circuitBreaker() && !s.breakers().allow(t.circuitKey())) {
            s.metrics().upstreamError(label(t), "circuit_open");
            lastError = new OpenAiException(503, "server_error", "deployment_unavailable", null,
                    "The deployment " + t.deployment() + " is failing and paused by its circuit breaker; retry shortly.", 30L);
            moveOn(t);
            return;
        }
        URI base;
        try {
            base = URI.create(t.baseUrl());
        } catch (IllegalArgumentException e) {
            lastError = new OpenAiException(400, "invalid_request_error", "invalid_base_url", null,
                    "The base URL configured for " + t.provider() + " is not a valid URL.");
            moveOn(t);
            return;
        }
        api.destination(base, s.egress()).onComplete(ar -> {
            if (finished) {
                return;
            }
            if (ar.failed() && ar.cause() instanceof EgressException refused) {
                s.metrics().upstreamError(label(t), "egress_refused");
                lastError = OpenAiErrors.translate(refused);
                moveOn(t);
                return;
            }
            if (ar.failed()) {
                attemptBroke(t, ar.cause()); // an internal service's name that does not resolve: it is down
                return;
            }
            InetAddress address = ar.result();
            api.credential(t.apiKey()).onComplete(cr -> {
                if (finished) {
                    return;
                }
                if (cr.failed()) {
                    attemptBroke(t, cr.cause());
                } else {
                    send(t, base, address, cr.result());
                }
            });
        });
    }

    /**
     * The request for this deployment when it asks for {@code thinking}: a copy of its top level (providers translate
     * the field in place and the next deployment may speak another API; the messages are shared, never changed),
     * without it for a model the catalogue knows has no reasoning.
     */
    private ObjectNode withThinkingFor(Target t) {
        ObjectNode copy = request.objectNode().setAll(request);
        if (!s.catalog().reasons(t.api().name(), t.model())) {
            copy.remove(Thinking.FIELD);
        }
        return copy;
    }

    private void send(Target t, URI base, InetAddress address, String credential) {
        String path;
        Buffer payload;
        try {
            path = t.api().path(base, t.model(), stream, embeddings);
            ObjectNode req = request.has(Thinking.FIELD) ? withThinkingFor(t) : request;
            payload = Buffer.buffer(s.mapper().writeValueAsBytes(t.api().request(req, t.model(), stream, embeddings)));
        } catch (OpenAiException e) {
            fail(e); // the request cannot be expressed in this provider's format: the client's to fix
            return;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        meter.attemptStarted();
        s.upstream().post(base, path, address, t.api(), credential, payload, stream, t.timeout().toMillis()).onComplete(ar -> {
            if (ar.failed()) {
                attemptBroke(t, ar.cause());
                return;
            }
            HttpClientRequest req = ar.result();
            inflight = req;
            if (finished) {
                req.reset();
                return;
            }
            req.send(payload).onComplete(rr -> {
                if (rr.failed()) {
                    attemptBroke(t, rr.cause());
                } else {
                    onResponse(t, rr.result());
                }
            });
        });
    }

    private void onResponse(Target t, HttpClientResponse resp) {
        if (finished) {
            inflight.reset();
            return;
        }
        int status = resp.statusCode();
        if (status >= 200 && status < 300) {
            if (stream) {
                relay.relay(t, resp);
            } else {
                answer.read(t, resp);
            }
            return;
        }
        long retryAfter = RetryPolicy.retryAfterMillis(resp.getHeader("retry-after"));
        UpstreamHttp.readBody(resp, MAX_ERROR_BODY, body -> onError(t, status, body, retryAfter),
                err -> onError(t, status, Buffer.buffer(), retryAfter));
    }

    /** A non-2xx answer: the provider says what it means, and the loop acts on it. */
    private void onError(Target t, int upstreamStatus, Buffer body, long retryAfterMs) {
        if (finished) {
            return;
        }
        meter.attemptEnded();
        OpenAiException e = ProviderErrors.of(t, upstreamStatus, body, retryAfterMs, s.mapper());
        int status = e.status(); // as the provider classified it (Gemini says a bad key with a 400)
        switch (t.api().next(upstreamStatus, e)) {
            case RETRY -> {
                s.metrics().upstreamError(label(t), status == 429 ? "status_429" : "status_5xx");
                breakerFailure(t);
                lastError = e;
                retryOrMoveOn(t, retryAfterMs);
            }
            case NEXT_DEPLOYMENT -> {
                if (status == 401 || status == 403) {
                    s.metrics().upstreamError(label(t), "status_401");
                    s.keys().invalidate(t.keyOwner(), t.keyName());
                    lastError = ProviderErrors.keyRejected(t, upstreamStatus, e);
                } else {
                    s.metrics().upstreamError(label(t), "status_4xx");
                    lastError = e;
                }
                moveOn(t);
            }
            case ANSWER -> {
                s.metrics().upstreamError(label(t), "status_4xx");
                fail(e);
            }
        }
    }

    private void breakerFailure(Target t) {
        if (t.api().circuitBreaker() && s.breakers().failure(t.circuitKey())) {
            s.metrics().circuitOpened(t.deployment());
        }
    }

    private void retryOrMoveOn(Target t, long retryAfterMs) {
        attempt++;
        RetryPolicy retry = s.retry();
        if (committed() || attempt >= retry.maxAttempts || retryAfterMs > retry.maxRetryAfterMs) {
            moveOn(t);
            return;
        }
        long delay = retryAfterMs >= 0 ? retryAfterMs : retry.backoff(attempt);
        if (System.nanoTime() - call.startNanos() + delay * 1_000_000 > s.deadlineNanos()) {
            moveOn(t);
            return;
        }
        s.metrics().retry(label(t));
        long sleptFrom = System.nanoTime();
        s.vertx().setTimer(Math.max(1, delay), id -> {
            meter.paused(System.nanoTime() - sleptFrom);
            if (!finished) {
                attempt(t);
            }
        });
    }

    private void moveOn(Target t) {
        if (committed()) {
            fail(lastError);
            return;
        }
        index++;
        attempt = 0;
        if (index < targets.size()) {
            s.metrics().fallback(t.deployment());
        }
        next();
    }

    private boolean committed() {
        return relay != null && relay.committed();
    }

    private void clientGone() {
        if (!complete()) {
            return;
        }
        if (inflight != null) {
            // HTTP/1.1 has no stream reset: closing the connection is what tells the provider to stop generating.
            inflight.reset();
            inflight.connection().close();
        }
        if (call.claim() != null) {
            s.idempotency().release(call.claim());
        }
        meter.record(currentTarget(), 499, UsageEvent.CANCELLED, null);
    }

    private String label(Target t) {
        return s.metrics().modelLabel(t.provider());
    }
}
