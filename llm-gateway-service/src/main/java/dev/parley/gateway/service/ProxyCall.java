package dev.parley.gateway.service;

import java.net.URI;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.ChatJson;
import dev.parley.gateway.openai.OpenAiErrors;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.TokenCounter;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * One chat completion call, driven by callbacks on the request's event loop (never blocking it). Deployments are
 * tried in order; on a connect error, timeout, 429 or 5xx the same deployment is retried with exponential backoff and
 * jitter (or the provider's Retry-After), then the next deployment takes over, as long as nothing has been sent to
 * the client yet. A provider that rejects its key (401/403) or does not know the model (404) moves on at once; any
 * other 4xx is the request's fault and is answered as is. Exactly one usage event is recorded per call.
 */
final class ProxyCall {
    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
    private static final Buffer HEARTBEAT = Buffer.buffer(": keep-alive\n\n");
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final ProxyService p;
    private final RoutingContext rc;
    private final HttpServerResponse response;
    private final CallContext call;
    private final ObjectNode request;
    private final List<Target> targets;
    private final boolean stream;
    private final boolean clientWantsUsage;
    private final boolean embeddings;
    private final String endpoint;

    private int index;
    private int attempt;
    private Target current;
    private HttpClientRequest inflight;
    private HttpClientResponse upstreamResponse;
    private long attemptStart;
    private long waitNanos;
    private OpenAiException lastError;
    private boolean finished;

    // stream state
    private boolean committed;
    private long firstTokenNanos;
    private long lastWriteNanos;
    private long heartbeatTimer = -1;
    private final BitSet seenChoices = new BitSet();
    private final StringBuilder completionText = new StringBuilder();
    private JsonNode usage;
    private long cacheWriteTokens;
    private dev.parley.gateway.service.wire.Dialect.StreamTranslator translator;

    ProxyCall(ProxyService p, RoutingContext rc, CallContext call, ObjectNode request, List<Target> targets, boolean embeddings) {
        this.p = p;
        this.rc = rc;
        this.response = rc.response();
        this.call = call;
        this.request = request;
        this.targets = targets;
        this.embeddings = embeddings;
        this.endpoint = embeddings ? "embeddings" : "chat";
        this.stream = !embeddings && request.path("stream").asBoolean(false);
        this.clientWantsUsage = request.path("stream_options").path("include_usage").asBoolean(false);
    }

    void start() {
        // Vert.x Web calls end handlers with a failure when the connection closes before the answer ended.
        rc.addEndHandler(ar -> {
            if (ar.failed()) {
                onClientGone();
            }
        });
        if (stream) {
            lastWriteNanos = System.nanoTime();
            long check = Math.max(50, p.heartbeatNanos / 5_000_000);
            heartbeatTimer = p.vertx.setPeriodic(check, id -> heartbeat());
        }
        next();
    }

    // ---- choosing and calling deployments ----------------------------------------------------------------------

    private void next() {
        if (finished) {
            return;
        }
        if (System.nanoTime() - call.startNanos() > p.deadlineNanos) {
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
        switch (current.kind()) {
            case ECHO -> {
                if (embeddings) {
                    fail(OpenAiException.invalid("model", "'" + EchoModel.ID + "' is a chat model: use POST /v1/chat/completions."));
                } else {
                    echo();
                }
            }
            case MEMORY -> {
                if (embeddings) {
                    attemptMemory(current);
                } else {
                    fail(OpenAiException.invalid("model", "'" + RouteResolver.MEMORY_EMBEDDINGS
                            + "' is an embeddings model: use POST /v1/embeddings."));
                }
            }
            default -> attempt(current);
        }
    }

    private void attempt(Target t) {
        if (!p.breakers.allow(t.circuitKey())) {
            p.metrics.upstreamError(label(t.provider()), "circuit_open");
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
        p.egress.check(base).onComplete(ar -> {
            if (finished) {
                return;
            }
            if (ar.failed()) {
                p.metrics.upstreamError(label(t.provider()), "egress_refused");
                lastError = OpenAiErrors.translate(ar.cause());
                moveOn(t);
                return;
            }
            send(t, base, ar.result());
        });
    }

    /** memory-service's local embedding model: an internal destination (no egress check), the service token as key. */
    private void attemptMemory(Target t) {
        URI base = URI.create(t.baseUrl());
        p.egress.resolveTrusted(base)
                .compose(address -> p.vertx.executeBlocking(() -> p.tokens.token(), false)
                        .map(token -> new Object[] {address, token}))
                .onComplete(ar -> {
                    if (finished) {
                        return;
                    }
                    if (ar.failed()) {
                        onAttemptError(t, ar.cause());
                        return;
                    }
                    send(t, base, (java.net.InetAddress) ar.result()[0], (String) ar.result()[1], "/internal/v1/embeddings");
                });
    }

    private void send(Target t, URI base, java.net.InetAddress address) {
        dev.parley.gateway.service.wire.Dialect dialect = t.kind().dialect();
        String path;
        if (dialect == null) {
            path = embeddings ? "/embeddings" : "/chat/completions";
        } else {
            try {
                path = dialect.path(t.model(), stream, embeddings);
            } catch (OpenAiException e) {
                fail(e);
                return;
            }
            if (t.kind() == Target.Kind.ANTHROPIC && base.getRawPath() != null && !base.getRawPath().replaceAll("/+$", "").endsWith("/v1")) {
                path = "/v1" + path; // an SDK-style base URL without the version, as Anthropic's own SDKs take it
            }
        }
        send(t, base, address, t.apiKey(), path);
    }

    private void send(Target t, URI base, java.net.InetAddress address, String key, String path) {
        Buffer payload;
        try {
            payload = payloadFor(t);
        } catch (OpenAiException e) {
            fail(e); // the request cannot be expressed in this provider's format: the client's to fix
            return;
        }
        attemptStart = System.nanoTime();
        p.upstream.post(base, path, address, key, t.kind().dialect(), stream, t.timeout().toMillis()).onComplete(ar -> {
            if (ar.failed()) {
                onAttemptError(t, ar.cause());
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
                    onAttemptError(t, rr.cause());
                } else {
                    onResponse(t, rr.result());
                }
            });
        });
    }

    private Buffer payloadFor(Target t) {
        if (t.kind().dialect() != null) {
            try {
                return Buffer.buffer(p.mapper.writeValueAsBytes(t.kind().dialect().request(request, t.model(), stream, embeddings)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        request.put("model", t.kind() == Target.Kind.MEMORY ? RouteResolver.MEMORY_EMBEDDINGS : t.model());
        if (stream) {
            JsonNode so = request.get("stream_options");
            ObjectNode options = so instanceof ObjectNode o ? o : request.putObject("stream_options");
            options.put("include_usage", true);
        }
        try {
            return Buffer.buffer(p.mapper.writeValueAsBytes(request));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void onResponse(Target t, HttpClientResponse resp) {
        if (finished) {
            inflight.reset();
            return;
        }
        upstreamResponse = resp;
        int status = resp.statusCode();
        if (status >= 200 && status < 300) {
            if (stream) {
                streamFrom(t, resp);
            } else {
                readAll(resp, p.config.upstream().maxResponseBytes(), body -> completeNonStream(t, body), err -> onAttemptError(t, err));
            }
            return;
        }
        long retryAfter = retryAfterMillis(resp.getHeader("retry-after"));
        readAll(resp, MAX_ERROR_BODY, body -> onUpstreamStatus(t, status, body, retryAfter),
                err -> onUpstreamStatus(t, status, Buffer.buffer(), retryAfter));
    }

    private void readAll(HttpClientResponse resp, int max, Handler<Buffer> done, Handler<Throwable> failed) {
        Buffer acc = Buffer.buffer();
        boolean[] over = {false};
        resp.handler(chunk -> {
            if (over[0]) {
                return;
            }
            if (acc.length() + chunk.length() > max) {
                over[0] = true;
                inflight.reset();
                failed.handle(new IllegalStateException("the provider's answer exceeds " + max + " bytes"));
                return;
            }
            acc.appendBuffer(chunk);
        });
        resp.exceptionHandler(err -> {
            if (!over[0]) {
                over[0] = true;
                failed.handle(err);
            }
        });
        resp.endHandler(v -> {
            if (!over[0]) {
                done.handle(acc);
            }
        });
    }

    private void onUpstreamStatus(Target t, int upstreamStatus, Buffer body, long retryAfterMs) {
        int status = upstreamStatus;
        if (finished) {
            return;
        }
        if (t.kind() == Target.Kind.MEMORY && status != 400) {
            // memory-service down, not built yet (404) or failing: the model is unavailable, not the request wrong.
            waitNanos += System.nanoTime() - attemptStart;
            p.metrics.upstreamError("parley", status == 429 || status >= 500 ? "status_5xx" : "status_4xx");
            lastError = memoryUnavailable();
            retryOrMoveOn(t, status == 404 ? Long.MAX_VALUE : retryAfterMs);
            return;
        }
        waitNanos += System.nanoTime() - attemptStart;
        OpenAiException e = providerError(t, status, body, retryAfterMs);
        String provider = label(t.provider());
        if (t.kind().dialect() != null) {
            status = e.status(); // the provider's error already classified (Gemini says a bad key with a 400)
        }
        if (status == 429 || status >= 500) {
            p.metrics.upstreamError(provider, status == 429 ? "status_429" : "status_5xx");
            failure(t);
            lastError = e;
            retryOrMoveOn(t, retryAfterMs);
        } else if (status == 401 || status == 403) {
            p.metrics.upstreamError(provider, "status_401");
            p.keys.invalidate(t.keyOwner(), t.keyName());
            lastError = new OpenAiException(status, status == 401 ? "authentication_error" : "permission_error",
                    "provider_key_invalid", null, "The provider " + t.provider() + " rejected the API key ("
                    + (t.keyOwner() != null ? "your provider key '" + t.keyName() + "'" : "the platform's key")
                    + ", HTTP " + upstreamStatus + "): " + e.getMessage());
            moveOn(t);
        } else if (status == 404) {
            p.metrics.upstreamError(provider, "status_4xx");
            lastError = e;
            moveOn(t);
        } else {
            p.metrics.upstreamError(provider, "status_4xx");
            fail(e);
        }
    }

    private void onAttemptError(Target t, Throwable cause) {
        if (finished) {
            return;
        }
        waitNanos += System.nanoTime() - attemptStart;
        boolean timeout = cause instanceof TimeoutException
                || cause.getClass().getSimpleName().contains("Timeout");
        p.metrics.upstreamError(label(t.provider()), timeout ? "timeout" : "connect");
        failure(t);
        lastError = t.kind() == Target.Kind.MEMORY ? memoryUnavailable() : timeout
                ? new OpenAiException(504, "server_error", "upstream_timeout", null,
                        "The provider " + t.provider() + " did not answer within " + t.timeout().toSeconds() + " s.")
                : new OpenAiException(502, "server_error", "upstream_unreachable", null,
                        "The provider " + t.provider() + " could not be reached.");
        retryOrMoveOn(t, -1);
    }

    private static OpenAiException memoryUnavailable() {
        return new OpenAiException(503, "server_error", "model_unavailable", "model",
                "The local embedding model " + RouteResolver.MEMORY_EMBEDDINGS
                        + " is unavailable: memory-service cannot be reached. Retry shortly.", 5L);
    }

    private void failure(Target t) {
        if (p.breakers.failure(t.circuitKey())) {
            p.metrics.circuitOpened(t.deployment());
        }
    }

    private void retryOrMoveOn(Target t, long retryAfterMs) {
        attempt++;
        GatewayRetry retry = p.retry;
        if (committed || attempt >= retry.maxAttempts || retryAfterMs > retry.maxRetryAfterMs) {
            moveOn(t);
            return;
        }
        long delay = retryAfterMs >= 0 ? retryAfterMs : retry.backoff(attempt);
        if (System.nanoTime() - call.startNanos() + delay * 1_000_000 > p.deadlineNanos) {
            moveOn(t);
            return;
        }
        p.metrics.retry(label(t.provider()));
        long sleptFrom = System.nanoTime();
        p.vertx.setTimer(Math.max(1, delay), id -> {
            waitNanos += System.nanoTime() - sleptFrom;
            if (!finished) {
                attempt(t);
            }
        });
    }

    private void moveOn(Target t) {
        if (committed) {
            fail(lastError);
            return;
        }
        index++;
        attempt = 0;
        if (index < targets.size()) {
            p.metrics.fallback(t.deployment());
        }
        next();
    }

    // ---- answers ---------------------------------------------------------------------------------------------

    private void echo() {
        if (stream) {
            for (ObjectNode chunk : p.echo.chunks(request)) {
                onChunk(current, chunk, null);
            }
            endStream(current);
        } else {
            completeNonStream(current, p.echo.completion(request), null);
        }
    }

    private void completeNonStream(Target t, Buffer body) {
        if (finished) {
            return;
        }
        waitNanos += System.nanoTime() - attemptStart;
        JsonNode parsed;
        try {
            parsed = p.mapper.readTree(body.getBytes());
        } catch (java.io.IOException e) {
            parsed = null;
        }
        dev.parley.gateway.service.wire.Dialect dialect = t.kind().dialect();
        if (dialect != null && parsed instanceof ObjectNode answer) {
            try {
                ObjectNode translated = embeddings ? dialect.embeddings(answer, request, t.model()) : dialect.completion(answer, t.model());
                cacheWriteTokens = dialect.cacheWriteTokens(answer);
                parsed = translated;
                body = null;
            } catch (OpenAiException e) {
                parsed = null;
            }
        }
        boolean valid = parsed instanceof ObjectNode && !parsed.has("error")
                && (embeddings ? parsed.path("data").isArray() : parsed.path("choices").isArray());
        if (!valid) {
            p.metrics.upstreamError(label(t.provider()), "bad_answer");
            failure(t);
            lastError = new OpenAiException(502, "server_error", "upstream_bad_answer", null,
                    "The provider " + t.provider() + " answered with something that is not " + (embeddings ? "an embeddings list." : "a chat completion."));
            retryOrMoveOn(t, -1);
            return;
        }
        completeNonStream(t, (ObjectNode) parsed, body);
    }


    /** {@code raw}: the provider's bytes, sent as they came when the answer already has OpenAI's shape. */
    private void completeNonStream(Target t, ObjectNode c, Buffer raw) {
        boolean changed = embeddings
                ? ChatJson.normalizeEmbeddings(c, t.kind() == Target.Kind.MEMORY ? RouteResolver.MEMORY_EMBEDDINGS : t.model())
                : ChatJson.normalizeCompletion(c, t.model());
        p.breakers.success(t.circuitKey());
        usage = ChatJson.usage(c);
        Buffer out;
        if (changed || raw == null) {
            try {
                out = Buffer.buffer(p.mapper.writeValueAsBytes(c));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out = raw;
        }
        if (call.claim() != null) {
            p.idempotency.complete(call.claim(), 200, out.toString(), t.deployment()).onComplete(ar -> respond(t, out));
        } else {
            respond(t, out);
        }
    }

    private void respond(Target t, Buffer out) {
        if (finished) {
            return;
        }
        finished = true;
        response.setStatusCode(200)
                .putHeader("Content-Type", "application/json")
                .putHeader("x-parley-deployment", t.deployment())
                .end(out);
        p.metrics.overhead(endpoint, false, System.nanoTime() - call.startNanos() - waitNanos);
        record(t, 200, UsageEvent.SUCCESS, out);
    }

    private void streamFrom(Target t, HttpClientResponse resp) {
        translator = t.kind().dialect() == null ? null : t.kind().dialect().stream(t.model());
        SseParser parser = new SseParser(data -> onData(t, data));
        resp.handler(buf -> {
            if (!finished) {
                try {
                    parser.feed(buf);
                } catch (IllegalStateException tooLong) {
                    inflight.reset();
                    onStreamBroken(t, tooLong);
                }
            }
        });
        resp.exceptionHandler(err -> onStreamBroken(t, err));
        resp.endHandler(v -> {
            if (!finished) {
                parser.end();
                endStream(t);
            }
        });
    }

    private void onData(Target t, String data) {
        if (finished || "[DONE]".equals(data)) {
            return;
        }
        JsonNode parsed;
        try {
            parsed = p.mapper.readTree(data);
        } catch (java.io.IOException e) {
            return; // a malformed event is skipped; the stream goes on
        }
        if (!(parsed instanceof ObjectNode chunk)) {
            return;
        }
        if (translator != null) {
            java.util.List<ObjectNode> chunks;
            try {
                chunks = translator.onEvent(chunk);
            } catch (OpenAiException e) {
                onStreamError(t, scrub(e, t));
                return;
            }
            for (ObjectNode c : chunks) {
                if (!finished) {
                    onChunk(t, c, null);
                }
            }
            return;
        }
        if (chunk.has("error")) {
            onStreamError(t, providerError(t, 502, Buffer.buffer(data), -1));
            return;
        }
        onChunk(t, chunk, data);
    }

    /** An error event inside the provider's stream: tried again elsewhere while the client has seen nothing. */
    private void onStreamError(Target t, OpenAiException e) {
        {
            p.metrics.upstreamError(label(t.provider()), "stream_error");
            if (!committed) {
                waitNanos += System.nanoTime() - attemptStart;
                failure(t);
                lastError = e;
                inflight.reset();
                retryOrMoveOn(t, -1);
            } else {
                fail(e);
            }
        }
    }

    /** {@code raw}: the event's data as the provider sent it, forwarded as is when nothing had to change. */
    private void onChunk(Target t, ObjectNode chunk, String raw) {
        JsonNode u = ChatJson.usage(chunk);
        if (u != null) {
            usage = u;
        }
        if (ChatJson.isUsageOnlyChunk(chunk)) {
            if (!clientWantsUsage) {
                return;
            }
        }
        boolean changed = !clientWantsUsage && chunk.remove("usage") != null;
        changed |= ChatJson.normalizeChunk(chunk, t.model(), seenChoices);
        ChatJson.appendDeltaText(chunk, completionText);
        if (firstTokenNanos == 0) {
            firstTokenNanos = System.nanoTime();
            if (t.kind() != Target.Kind.ECHO) {
                waitNanos += firstTokenNanos - attemptStart;
            }
            p.breakers.success(t.circuitKey());
            p.metrics.timeToFirstToken(label(t.provider()), t.meteredModel(), firstTokenNanos - call.startNanos());
            p.metrics.overhead("chat", true, firstTokenNanos - call.startNanos() - waitNanos);
        }
        commit(t);
        Buffer event;
        if (changed || raw == null) {
            byte[] json;
            try {
                json = p.mapper.writeValueAsBytes(chunk);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            event = Buffer.buffer(json.length + 8).appendString("data: ").appendBytes(json).appendString("\n\n");
        } else {
            event = Buffer.buffer(raw.length() + 8).appendString("data: ").appendString(raw).appendString("\n\n");
        }
        write(event);
    }

    private void commit(Target t) {
        if (committed) {
            return;
        }
        committed = true;
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no")
                .putHeader("x-parley-deployment", t.deployment());
    }

    private void write(Buffer event) {
        response.write(event);
        lastWriteNanos = System.nanoTime();
        if (response.writeQueueFull() && upstreamResponse != null) {
            HttpClientResponse up = upstreamResponse;
            up.pause();
            response.drainHandler(v -> up.resume());
        }
    }

    private void heartbeat() {
        if (finished) {
            cancelHeartbeat();
            return;
        }
        if (System.nanoTime() - lastWriteNanos >= p.heartbeatNanos) {
            commit(current != null ? current : targets.get(0));
            write(HEARTBEAT);
        }
    }

    private void cancelHeartbeat() {
        if (heartbeatTimer >= 0) {
            p.vertx.cancelTimer(heartbeatTimer);
            heartbeatTimer = -1;
        }
    }

    private void endStream(Target t) {
        if (finished) {
            return;
        }
        if (firstTokenNanos == 0 && t.kind() != Target.Kind.ECHO) {
            // The provider closed the stream without a single event: nothing reached the client, so try again.
            waitNanos += System.nanoTime() - attemptStart;
            p.metrics.upstreamError(label(t.provider()), "empty_stream");
            failure(t);
            lastError = new OpenAiException(502, "server_error", "upstream_bad_answer", null,
                    "The provider " + t.provider() + " ended the stream without sending anything.");
            retryOrMoveOn(t, -1);
            return;
        }
        if (translator != null) {
            if (!translator.complete()) {
                onStreamBroken(t, new IllegalStateException("the provider's stream ended before its final event"));
                return;
            }
            for (ObjectNode c : translator.end()) {
                onChunk(t, c, null);
            }
            cacheWriteTokens = translator.cacheWriteTokens();
        }
        finished = true;
        cancelHeartbeat();
        commit(t);
        response.end(DONE);
        record(t, 200, UsageEvent.SUCCESS, completionText.toString());
    }

    private void onStreamBroken(Target t, Throwable err) {
        if (finished) {
            return;
        }
        if (!committed) {
            onAttemptError(t, err);
            return;
        }
        p.metrics.upstreamError(label(t.provider()), "stream_broken");
        fail(new OpenAiException(502, "server_error", "upstream_stream_broken", null,
                "The provider's stream broke off before the answer was complete."));
    }

    private void fail(OpenAiException e) {
        if (finished) {
            return;
        }
        finished = true;
        cancelHeartbeat();
        if (call.claim() != null) {
            p.idempotency.release(call.claim());
        }
        p.errors.write(rc, e);
        Target t = current != null ? current : targets.get(0);
        record(t, committed ? 200 : e.status(), UsageEvent.ERROR, null);
    }

    private void onClientGone() {
        if (finished) {
            return;
        }
        finished = true;
        cancelHeartbeat();
        if (inflight != null) {
            // HTTP/1.1 has no stream reset: closing the connection is what tells the provider to stop generating.
            inflight.reset();
            inflight.connection().close();
        }
        if (call.claim() != null) {
            p.idempotency.release(call.claim());
        }
        record(current != null ? current : targets.get(0), 499, UsageEvent.CANCELLED, null);
    }

    // ---- metering --------------------------------------------------------------------------------------------

    private void record(Target t, int httpStatus, String status, Object responseText) {
        long now = System.nanoTime();
        long prompt = 0;
        long completion = 0;
        long cached = 0;
        long reasoning = 0;
        if (usage != null) {
            prompt = usage.path("prompt_tokens").asLong(0);
            completion = usage.path("completion_tokens").asLong(0);
            cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
            reasoning = usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0);
        } else if (embeddings && UsageEvent.SUCCESS.equals(status)) {
            JsonNode input = request.path("input");
            if (input.isArray()) {
                for (JsonNode item : input) {
                    prompt += item.isTextual() ? TokenCounter.count(item.asText()) : item.isArray() ? item.size() : 1;
                }
            } else {
                prompt = TokenCounter.count(input.asText(""));
            }
        } else if (firstTokenNanos != 0) {
            // The provider sent no usage (it ignores include_usage, or the stream was cut): count it ourselves.
            prompt = TokenCounter.countMessages(request.path("messages"));
            completion = TokenCounter.count(completionText.toString());
        }
        Long ttft = firstTokenNanos == 0 ? null : (firstTokenNanos - call.startNanos()) / 1_000_000;
        String provider = label(t.provider());
        p.outbox.record(new UsageEvent(call.callId(), Instant.now(), call.userId(), call.caller().accessKeyId(),
                call.sessionId(), call.messageId(), t.provider(), t.meteredModel(), t.deployment(), prompt, completion,
                cached, reasoning, cacheWriteTokens, embeddings ? 0 : ChatJson.countImages(request.path("messages")),
                (now - call.startNanos()) / 1_000_000, ttft, status, stream));
        p.metrics.tokens(provider, t.meteredModel(), prompt, completion);
        p.limiter.settle(call.permit(), prompt + completion);
        p.metrics.request(endpoint, provider, t.meteredModel(), httpStatus, now - call.startNanos());
        if (p.requestLog.enabled()) {
            p.requestLog.record(call.callId(), call.userId(), t.deployment(), httpStatus, call.rawBody().toString(), responseText == null ? null : responseText.toString());
        }
    }

    private String label(String provider) {
        return p.metrics.modelLabel(provider);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The provider's error in OpenAI's shape: OpenAI-compatible servers mostly send it already; keep their words. */
    private OpenAiException providerError(Target t, int status, Buffer body, long retryAfterMs) {
        if (t.kind().dialect() != null) {
            JsonNode json;
            try {
                json = body.length() == 0 ? null : p.mapper.readTree(body.getBytes());
            } catch (java.io.IOException e) {
                json = null;
            }
            return scrub(t.kind().dialect().error(status, json, retryAfterMs), t);
        }
        String message = null;
        String type = status >= 500 ? "server_error" : status == 429 ? "rate_limit_error" : "invalid_request_error";
        String code = null;
        String param = null;
        try {
            JsonNode root = body.length() == 0 ? null : p.mapper.readTree(body.getBytes());
            JsonNode err = root == null ? null : root.get("error");
            if (err != null && err.isObject()) {
                message = err.path("message").asText(null);
                type = err.hasNonNull("type") ? err.get("type").asText() : type;
                code = err.hasNonNull("code") ? err.get("code").asText() : null;
                param = err.hasNonNull("param") ? err.get("param").asText() : null;
            } else if (err != null && err.isTextual()) {
                message = err.asText();
            } else if (root != null && root.hasNonNull("message")) {
                message = root.get("message").asText();
            }
        } catch (java.io.IOException ignored) {
            // not JSON: the status alone speaks
        }
        if (message == null || message.isBlank()) {
            message = "The provider " + t.provider() + " answered HTTP " + status + ".";
        }
        if (message.length() > 2000) {
            message = message.substring(0, 2000);
        }
        int answered = status == 429 ? 429 : status >= 500 ? 502 : status;
        Long retryAfter = status == 429 ? (retryAfterMs >= 0 ? Math.max(1, (retryAfterMs + 999) / 1000) : 1L) : null;
        return scrub(new OpenAiException(answered, type, code, param, message, retryAfter), t);
    }

    /** A provider's error message never repeats the key it was sent (some echo a prefix or all of it). */
    private static OpenAiException scrub(OpenAiException e, Target t) {
        String key = t.apiKey();
        String message = e.getMessage();
        if (key == null || key.length() < 8 || message == null || !message.contains(key.substring(0, 8))) {
            return e;
        }
        String cleaned = message.replace(key, "[redacted]");
        cleaned = cleaned.replace(key.substring(0, 8), "[redacted]");
        return new OpenAiException(e.status(), e.type(), e.code(), e.param(), cleaned, e.retryAfterSeconds());
    }

    static long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            double seconds = Double.parseDouble(header.trim());
            return Double.isFinite(seconds) && seconds >= 0 ? (long) (seconds * 1000) : -1;
        } catch (NumberFormatException e) {
            try {
                Instant at = java.time.ZonedDateTime.parse(header.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Math.max(0, at.toEpochMilli() - System.currentTimeMillis());
            } catch (java.time.format.DateTimeParseException ex) {
                return -1;
            }
        }
    }

    /** Retry settings with full-jitter exponential backoff. */
    static final class GatewayRetry {
        final int maxAttempts;
        final long initialMs;
        final long maxMs;
        final long maxRetryAfterMs;

        GatewayRetry(dev.parley.gateway.config.GatewayConfig config) {
            this.maxAttempts = Math.max(1, config.retry().maxAttempts());
            this.initialMs = config.retry().initialBackoff().toMillis();
            this.maxMs = config.retry().maxBackoff().toMillis();
            this.maxRetryAfterMs = config.retry().maxRetryAfter().toMillis();
        }

        /** Delay before attempt number {@code attempt} (1 = the first retry): random in [cap/2, cap]. */
        long backoff(int attempt) {
            long cap = Math.min(maxMs, initialMs << Math.min(attempt - 1, 20));
            return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        }
    }
}
