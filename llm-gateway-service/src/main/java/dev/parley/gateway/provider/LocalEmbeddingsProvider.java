package dev.parley.gateway.provider;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.platform.client.ServiceTokenProvider;
import dev.parley.platform.config.ServiceUrls;
import dev.parley.platform.egress.EgressPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;

/**
 * {@code parley/all-minilm-l6-v2}: the local embedding model that memory-service runs (off the gateway's hot path),
 * called at {@code POST /internal/v1/embeddings} in OpenAI's embeddings shape. memory-service is a Parley service,
 * not a provider: its URL is the operator's ({@code parley.memory.url}, not policed by the egress policy), the call
 * carries the gateway's service token, and while it is down (or not built yet: 404) the model is unavailable (503
 * {@code model_unavailable}), never paused by a circuit breaker.
 */
@Singleton
public final class LocalEmbeddingsProvider implements Provider {
    public static final String ID = "parley/all-minilm-l6-v2";

    private final String baseUrl;
    private final ServiceTokenProvider tokens;
    private final Vertx vertx;

    public LocalEmbeddingsProvider(ServiceUrls urls, ServiceTokenProvider tokens, Vertx vertx) {
        this.baseUrl = urls.memory();
        this.tokens = tokens;
        this.vertx = vertx;
    }

    @Override
    public String name() {
        return "parley";
    }

    @Override
    public String ownModel() {
        return "all-minilm-l6-v2";
    }

    @Override
    public String defaultBaseUrl() {
        return baseUrl;
    }

    @Override
    public OpenAiException refuse(boolean embeddings) {
        return embeddings ? null : OpenAiException.invalid("model", "'" + ID + "' is an embeddings model: use POST /v1/embeddings.");
    }

    @Override
    public Future<InetAddress> destination(URI base, EgressPolicy egress) {
        return egress.resolveTrusted(base);
    }

    /** The gateway's own service token (its cache may have to fetch one: on a worker thread). */
    @Override
    public Future<String> credential(String deploymentKey) {
        return vertx.executeBlocking(tokens::token, false);
    }

    @Override
    public String path(URI base, String model, boolean stream, boolean embeddings) {
        return "/internal/v1/embeddings";
    }

    @Override
    public boolean circuitBreaker() {
        return false;
    }

    @Override
    public ObjectNode request(ObjectNode openAi, String model, boolean stream, boolean embeddings) {
        return openAi.put("model", ID);
    }

    /** memory-service answers OpenAI's shape; should it leave out the model, the answer names it (a new object). */
    @Override
    public ObjectNode embeddings(ObjectNode answer, ObjectNode openAiRequest, String model) {
        return answer.path("model").isTextual() ? answer : answer.deepCopy().put("model", ID);
    }

    /** A 400 is the request's fault, in OpenAI's words; anything else means the model is unavailable. */
    @Override
    public OpenAiException error(String provider, int status, JsonNode body, long retryAfterMs) {
        return status == 400 ? OpenAiWire.error(provider, status, body, retryAfterMs) : unavailable();
    }

    /** Down or failing: tried again; not built yet (404): at once the next deployment, as a missing model would be. */
    @Override
    public Next next(int upstreamStatus, OpenAiException error) {
        if (upstreamStatus == 400) {
            return Next.ANSWER;
        }
        return upstreamStatus == 404 ? Next.NEXT_DEPLOYMENT : Next.RETRY;
    }

    @Override
    public OpenAiException unreachable(String provider, boolean timedOut, Duration timeout) {
        return unavailable();
    }

    private static OpenAiException unavailable() {
        return new OpenAiException(503, "server_error", "model_unavailable", "model", "The local embedding model " + ID
                + " is unavailable: memory-service cannot be reached. Retry shortly.", 5L);
    }
}
