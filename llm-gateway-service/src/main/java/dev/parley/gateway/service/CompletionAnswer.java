package dev.parley.gateway.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.client.UpstreamHttp;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.openai.ChatJson;
import dev.parley.gateway.openai.OpenAiException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * The non-streamed answer of one call (a chat completion or an embeddings list): read whole (at most
 * {@code upstream.max-response-bytes}), translated by the provider, checked, completed to OpenAI's shape, stored for
 * its Idempotency-Key, sent. An answer already in OpenAI's shape that needed nothing filled in goes out as the
 * provider's own bytes. An answer that is not one is a failed attempt: {@link CallLoop} tries again.
 */
final class CompletionAnswer {
    private final CallLoop loop;
    private final HttpServerResponse response;
    private final CallContext call;
    private final ObjectNode request;
    private final boolean embeddings;
    private final CallMeter meter;
    private final ObjectMapper mapper;
    private final IdempotencyStore idempotency;
    private final GatewayMetrics metrics;
    private final int maxBytes;

    CompletionAnswer(CallLoop loop, HttpServerResponse response, CallContext call, ObjectNode request, boolean embeddings,
                     CallMeter meter, ObjectMapper mapper, IdempotencyStore idempotency, GatewayMetrics metrics, int maxBytes) {
        this.loop = loop;
        this.response = response;
        this.call = call;
        this.request = request;
        this.embeddings = embeddings;
        this.meter = meter;
        this.mapper = mapper;
        this.idempotency = idempotency;
        this.metrics = metrics;
        this.maxBytes = maxBytes;
    }

    /** The provider's 2xx answer. */
    void read(Target t, HttpClientResponse resp) {
        UpstreamHttp.readBody(resp, maxBytes, body -> translate(t, body), err -> loop.attemptBroke(t, err));
    }

    /** A model answered inside the gateway. */
    void local(Target t, ObjectNode completion) {
        complete(t, completion, null);
    }

    private void translate(Target t, Buffer body) {
        if (loop.finished()) {
            return;
        }
        meter.attemptEnded();
        ObjectNode answer = ProviderErrors.json(body, mapper) instanceof ObjectNode o ? o : null;
        ObjectNode translated = null;
        if (answer != null) { // an answer the provider cannot translate is no answer: tried again below
            try {
                translated = embeddings ? t.api().embeddings(answer, request, t.model()) : t.api().completion(answer, t.model());
                meter.cacheWriteTokens(t.api().cacheWriteTokens(answer));
            } catch (OpenAiException e) {
                translated = null;
            }
        }
        boolean valid = translated != null && !translated.has("error")
                && (embeddings ? translated.path("data").isArray() : translated.path("choices").isArray());
        if (!valid) {
            metrics.upstreamError(metrics.modelLabel(t.provider()), "bad_answer");
            loop.attemptFailed(t, new OpenAiException(502, "server_error", "upstream_bad_answer", null, "The provider "
                    + t.provider() + " answered with something that is not " + (embeddings ? "an embeddings list." : "a chat completion.")));
            return;
        }
        complete(t, translated, translated == answer ? body : null);
    }

    /** {@code raw}: the provider's bytes, sent as they came when the answer already has OpenAI's shape. */
    private void complete(Target t, ObjectNode c, Buffer raw) {
        boolean changed = embeddings ? ChatJson.normalizeEmbeddings(c, t.model()) : ChatJson.normalizeCompletion(c, t.model());
        loop.answering(t);
        meter.usage(ChatJson.usage(c));
        Buffer out;
        if (changed || raw == null) {
            try {
                out = Buffer.buffer(mapper.writeValueAsBytes(c));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out = raw;
        }
        if (call.claim() != null) {
            idempotency.complete(call.claim(), 200, out.toString(), t.deployment()).onComplete(ar -> respond(t, out));
        } else {
            respond(t, out);
        }
    }

    private void respond(Target t, Buffer out) {
        if (!loop.complete()) {
            return;
        }
        response.setStatusCode(200)
                .putHeader("Content-Type", "application/json")
                .putHeader("x-parley-deployment", t.deployment())
                .end(out);
        meter.answered();
        meter.record(t, 200, UsageEvent.SUCCESS, out);
    }
}
