package dev.parley.gateway.service;

import java.io.IOException;
import java.util.BitSet;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.openai.ChatJson;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.provider.StreamFraming;
import dev.parley.gateway.provider.StreamTranslator;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * The streamed answer of one call: the provider's stream in (its framing, then its translator), OpenAI chunks out
 * ({@code data: {chunk}} and a blank line, {@code data: [DONE]} last). A chunk the gateway did not change goes out as
 * the provider's own bytes. Sends {@code : keep-alive} after {@code heartbeat-interval} of silence, pauses the
 * provider while the client cannot keep up, and until the first chunk is sent lets {@link CallLoop} try again
 * elsewhere; after it, a failure ends the stream with an error event.
 */
final class StreamRelay {
    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
    private static final Buffer HEARTBEAT = Buffer.buffer(": keep-alive\n\n");

    private final CallLoop loop;
    private final HttpServerResponse response;
    private final CallMeter meter;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final GatewayMetrics metrics;
    private final long heartbeatNanos;
    private final boolean clientWantsUsage;

    private final BitSet seenChoices = new BitSet();
    private boolean committed;
    private long lastWriteNanos;
    private long heartbeatTimer = -1;
    private HttpClientResponse upstream;
    private StreamTranslator translator;

    StreamRelay(CallLoop loop, HttpServerResponse response, CallMeter meter, Vertx vertx, ObjectMapper mapper,
                GatewayMetrics metrics, long heartbeatNanos, boolean clientWantsUsage) {
        this.loop = loop;
        this.response = response;
        this.meter = meter;
        this.vertx = vertx;
        this.mapper = mapper;
        this.metrics = metrics;
        this.heartbeatNanos = heartbeatNanos;
        this.clientWantsUsage = clientWantsUsage;
    }

    /** The heartbeat runs from the start: a slow first token (a reasoning model) must not look like a dead stream. */
    void start() {
        lastWriteNanos = System.nanoTime();
        long check = Math.max(50, heartbeatNanos / 5_000_000);
        heartbeatTimer = vertx.setPeriodic(check, id -> heartbeat());
    }

    /** Whether the client has received anything: from then on no other deployment can take over. */
    boolean committed() {
        return committed;
    }

    /** The call ended (answered, failed or cancelled). */
    void stop() {
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
            heartbeatTimer = -1;
        }
    }

    /** A model answered inside the gateway: its chunks, then the end. */
    void relayLocal(Target t, List<ObjectNode> chunks) {
        for (ObjectNode chunk : chunks) {
            onChunk(t, chunk, null);
        }
        end(t);
    }

    /** The provider's 2xx stream, translated as it arrives. */
    void relay(Target t, HttpClientResponse resp) {
        upstream = resp;
        translator = t.api().stream(t.provider(), t.model());
        StreamFraming.Parser parser = t.api().framing().parser(data -> onEvent(t, data));
        resp.handler(buf -> {
            if (!loop.finished()) {
                try {
                    parser.feed(buf);
                } catch (IllegalStateException tooLong) {
                    loop.resetUpstream();
                    broken(t, tooLong);
                }
            }
        });
        resp.exceptionHandler(err -> broken(t, err));
        resp.endHandler(v -> {
            if (!loop.finished()) {
                parser.end();
                end(t);
            }
        });
    }

    private void onEvent(Target t, String data) {
        if (loop.finished()) {
            return;
        }
        JsonNode parsed;
        try {
            parsed = mapper.readTree(data);
        } catch (IOException e) {
            return; // a malformed event is skipped; the stream goes on
        }
        if (!(parsed instanceof ObjectNode event)) {
            return;
        }
        List<ObjectNode> chunks;
        try {
            chunks = translator.onEvent(event);
        } catch (OpenAiException e) {
            streamError(t, ProviderErrors.scrub(e, t.apiKey()));
            return;
        }
        for (int i = 0; i < chunks.size() && !loop.finished(); i++) {
            ObjectNode chunk = chunks.get(i);
            onChunk(t, chunk, chunk == event ? data : null);
        }
    }

    /** An error event inside the provider's stream: tried again elsewhere while the client has seen nothing. */
    private void streamError(Target t, OpenAiException e) {
        metrics.upstreamError(metrics.modelLabel(t.provider()), "stream_error");
        if (committed) {
            loop.fail(e);
        } else {
            loop.resetUpstream();
            loop.attemptFailed(t, e);
        }
    }

    /** {@code raw}: the event's data as the provider sent it, forwarded as is when nothing had to change. */
    private void onChunk(Target t, ObjectNode chunk, String raw) {
        meter.usage(ChatJson.usage(chunk));
        if (ChatJson.isUsageOnlyChunk(chunk) && !clientWantsUsage) {
            return;
        }
        boolean changed = !clientWantsUsage && chunk.remove("usage") != null;
        changed |= ChatJson.normalizeChunk(chunk, t.model(), seenChoices);
        ChatJson.appendDeltaText(chunk, meter.completionText());
        if (!meter.streaming()) {
            meter.firstToken(t);
            loop.answering(t);
        }
        commit(t);
        Buffer event;
        if (changed || raw == null) {
            byte[] json;
            try {
                json = mapper.writeValueAsBytes(chunk);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            event = Buffer.buffer(json.length + 8).appendString("data: ").appendBytes(json).appendString("\n\n");
        } else {
            event = Buffer.buffer(raw.length() + 8).appendString("data: ").appendString(raw).appendString("\n\n");
        }
        write(event);
    }

    /** The answer's head: sent with the first chunk or heartbeat. */
    void commit(Target t) {
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

    /** Back-pressure: while the client's write queue is full, the provider is not read. */
    private void write(Buffer event) {
        response.write(event);
        lastWriteNanos = System.nanoTime();
        if (response.writeQueueFull() && upstream != null) {
            HttpClientResponse up = upstream;
            up.pause();
            response.drainHandler(v -> up.resume());
        }
    }

    private void heartbeat() {
        if (loop.finished()) {
            stop();
            return;
        }
        if (System.nanoTime() - lastWriteNanos >= heartbeatNanos) {
            commit(loop.currentTarget());
            write(HEARTBEAT);
        }
    }

    private void end(Target t) {
        if (loop.finished()) {
            return;
        }
        if (!meter.streaming()) {
            // The provider closed the stream without a single event: nothing reached the client, so try again.
            metrics.upstreamError(metrics.modelLabel(t.provider()), "empty_stream");
            loop.attemptFailed(t, new OpenAiException(502, "server_error", "upstream_bad_answer", null,
                    "The provider " + t.provider() + " ended the stream without sending anything."));
            return;
        }
        if (translator != null) {
            if (!translator.complete()) {
                broken(t, new IllegalStateException("the provider's stream ended before its final event"));
                return;
            }
            for (ObjectNode c : translator.end()) {
                onChunk(t, c, null);
            }
            meter.cacheWriteTokens(translator.cacheWriteTokens());
        }
        if (!loop.complete()) {
            return;
        }
        commit(t);
        response.end(DONE);
        meter.record(t, 200, UsageEvent.SUCCESS, meter.completionText().toString());
    }

    /** The provider's stream broke: another attempt while nothing was sent, else an error event ends the stream. */
    private void broken(Target t, Throwable err) {
        if (loop.finished()) {
            return;
        }
        if (!committed) {
            loop.attemptBroke(t, err);
            return;
        }
        metrics.upstreamError(metrics.modelLabel(t.provider()), "stream_broken");
        loop.fail(new OpenAiException(502, "server_error", "upstream_stream_broken", null,
                "The provider's stream broke off before the answer was complete."));
    }
}
