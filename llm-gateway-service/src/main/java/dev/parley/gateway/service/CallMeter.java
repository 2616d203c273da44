package dev.parley.gateway.service;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.openai.ChatJson;
import dev.parley.gateway.openai.TokenCounter;
import dev.parley.gateway.service.ratelimit.RateLimiter;

/**
 * What one call used and how long it waited on providers, and exactly one usage event when it ends (success, error
 * or cancelled). Tokens are the provider's usage when it sent one, else counted with o200k (a streamed call is never
 * metered with zero tokens). The gateway's own overhead is the call's time minus the time spent waiting on
 * providers (attempts, and pauses between them). Used on the call's event loop only.
 */
final class CallMeter {
    private final UsageOutbox outbox;
    private final GatewayMetrics metrics;
    private final RateLimiter limiter;
    private final RequestLog requestLog;
    private final CallContext call;
    private final ObjectNode request;
    private final boolean embeddings;
    private final boolean stream;
    private final String endpoint;

    private final StringBuilder completionText = new StringBuilder();
    private JsonNode usage;
    private long cacheWriteTokens;
    private long attemptStart;
    private long waitNanos;
    private long firstTokenNanos;
    private boolean recorded;

    CallMeter(UsageOutbox outbox, GatewayMetrics metrics, RateLimiter limiter, RequestLog requestLog, CallContext call,
              ObjectNode request, boolean embeddings, boolean stream) {
        this.outbox = outbox;
        this.metrics = metrics;
        this.limiter = limiter;
        this.requestLog = requestLog;
        this.call = call;
        this.request = request;
        this.embeddings = embeddings;
        this.stream = stream;
        this.endpoint = embeddings ? "embeddings" : "chat";
    }

    // ---- time ------------------------------------------------------------------------------------------------

    /** A request goes to a provider: from now on the call waits on it. */
    void attemptStarted() {
        attemptStart = System.nanoTime();
    }

    /** The answer is computed inside the gateway: no waiting on anyone. */
    void answeringLocally() {
        attemptStart = 0;
    }

    /** The provider's part of the attempt is over (it failed, or its whole answer arrived). */
    void attemptEnded() {
        if (attemptStart != 0) {
            waitNanos += System.nanoTime() - attemptStart;
        }
    }

    /** A pause between attempts (backoff, Retry-After). */
    void paused(long nanos) {
        waitNanos += nanos;
    }

    /** The first chunk of a streamed answer goes out: time to first token, and the gateway's overhead until then. */
    void firstToken(Target t) {
        if (firstTokenNanos != 0) {
            return;
        }
        firstTokenNanos = System.nanoTime();
        if (attemptStart != 0) {
            waitNanos += firstTokenNanos - attemptStart;
        }
        metrics.timeToFirstToken(label(t), t.meteredModel(), firstTokenNanos - call.startNanos());
        metrics.overhead(endpoint, true, firstTokenNanos - call.startNanos() - waitNanos);
    }

    /** Whether a streamed answer has sent its first chunk. */
    boolean streaming() {
        return firstTokenNanos != 0;
    }

    /** A whole answer went out: the gateway's overhead. */
    void answered() {
        metrics.overhead(endpoint, false, System.nanoTime() - call.startNanos() - waitNanos);
    }

    // ---- tokens ----------------------------------------------------------------------------------------------

    /** The provider's usage (the last one seen counts). */
    void usage(JsonNode u) {
        if (u != null) {
            usage = u;
        }
    }

    void cacheWriteTokens(long tokens) {
        cacheWriteTokens = tokens;
    }

    /** The streamed text so far, for counting when the provider sends no usage. */
    StringBuilder completionText() {
        return completionText;
    }

    // ---- the usage event -------------------------------------------------------------------------------------

    /** Records the call once: its usage event, metrics, the rate limit's real token count, the request log. */
    void record(Target t, int httpStatus, String status, Object responseText) {
        if (recorded) {
            return;
        }
        recorded = true;
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
            prompt = TokenCounter.countInput(request.path("input"));
        } else if (firstTokenNanos != 0) {
            // The provider sent no usage (it ignores include_usage, or the stream was cut): count it ourselves.
            prompt = TokenCounter.countMessages(request.path("messages"));
            completion = TokenCounter.count(completionText.toString());
        }
        Long ttft = firstTokenNanos == 0 ? null : (firstTokenNanos - call.startNanos()) / 1_000_000;
        outbox.record(new UsageEvent(call.callId(), Instant.now(), call.userId(), call.caller().accessKeyId(),
                call.sessionId(), call.messageId(), t.provider(), t.meteredModel(), t.deployment(), prompt, completion,
                cached, reasoning, cacheWriteTokens, embeddings ? 0 : ChatJson.countImages(request.path("messages")),
                (now - call.startNanos()) / 1_000_000, ttft, status, stream));
        String provider = label(t);
        metrics.tokens(provider, t.meteredModel(), prompt, completion);
        limiter.settle(call.permit(), prompt + completion);
        metrics.request(endpoint, provider, t.meteredModel(), httpStatus, now - call.startNanos());
        if (requestLog.enabled()) {
            requestLog.record(call.callId(), call.userId(), t.deployment(), httpStatus, call.rawBody().toString(),
                    responseText == null ? null : responseText.toString());
        }
    }

    private String label(Target t) {
        return metrics.modelLabel(t.provider());
    }
}
