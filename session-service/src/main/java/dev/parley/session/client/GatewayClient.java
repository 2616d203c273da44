package dev.parley.session.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.client.ServiceTokenProvider;
import dev.parley.session.config.SessionConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The gateway's OpenAI-compatible API, called with session-service's service token acting for the user
 * ({@code X-Parley-User}), with the session and message ids so usage is attributed to the turn. Chat calls are not
 * retried here: the gateway retries and falls back itself, and a repeated chat call would be billed twice.
 */
@ApplicationScoped
public class GatewayClient {
    /** What the gateway says of a model (cached 5 minutes). */
    public record ModelInfo(int contextWindow, int maxOutputTokens) { }

    private record Cached(ModelInfo info, long until) { }

    private final String base;
    private final ServiceTokenProvider tokens;
    private final ObjectMapper mapper;
    private final SessionConfig config;
    private final HttpClient http;
    private final Map<String, Cached> models = new ConcurrentHashMap<>();

    public GatewayClient(@ConfigProperty(name = "parley.gateway.url", defaultValue = "http://127.0.0.1:8083") String gatewayUrl,
                         ServiceTokenProvider tokens, ObjectMapper mapper, SessionConfig config) {
        this.base = gatewayUrl.replaceAll("/+$", "");
        this.tokens = tokens;
        this.mapper = mapper;
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The model's context window and output limit from {@code GET /v1/models/{id}}; defaults when unknown. */
    public ModelInfo model(UUID userId, String model) {
        Cached c = models.get(model);
        long now = System.currentTimeMillis();
        if (c != null && c.until() > now) {
            return c.info();
        }
        ModelInfo info = new ModelInfo(config.defaultContextWindow(), 0);
        try {
            HttpRequest req = request("/v1/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("%2F", "/"), userId, null, null)
                    .timeout(Duration.ofSeconds(3)).GET().build();
            HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() == 200) {
                JsonNode m = mapper.readTree(resp.body());
                int window = m.path("context_window").asInt(0);
                info = new ModelInfo(window > 0 ? window : config.defaultContextWindow(), m.path("max_output_tokens").asInt(0));
                models.put(model, new Cached(info, now + 300_000));
            }
        } catch (IOException e) {
            // the default window; the chat call itself will say whether the model exists
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return info;
    }

    /** A non-streamed chat completion: the gateway's status, body and deployment header. */
    public Answer chat(UUID userId, UUID sessionId, UUID messageId, byte[] body) throws IOException, InterruptedException {
        HttpRequest req = request("/v1/chat/completions", userId, sessionId, messageId)
                .timeout(config.gatewayTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        invalidateTokenOn401(resp.statusCode());
        return new Answer(resp.statusCode(), resp.body(), resp.headers().firstValue("x-parley-deployment").orElse(null), null);
    }

    /** A streamed chat completion: the body is read as it arrives (close it to stop the generation). */
    public Answer chatStream(UUID userId, UUID sessionId, UUID messageId, byte[] body) throws IOException, InterruptedException {
        HttpRequest req = request("/v1/chat/completions", userId, sessionId, messageId)
                .timeout(config.gatewayTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        invalidateTokenOn401(resp.statusCode());
        if (resp.statusCode() != 200) {
            try (InputStream in = resp.body()) {
                return new Answer(resp.statusCode(), in.readNBytes(64 * 1024), null, null);
            }
        }
        return new Answer(200, null, resp.headers().firstValue("x-parley-deployment").orElse(null), resp.body());
    }

    /** {@code body} for a plain answer or an error; {@code stream} for a 200 stream. */
    public record Answer(int status, byte[] body, String deployment, InputStream stream) { }

    private void invalidateTokenOn401(int status) {
        if (status == 401) {
            tokens.invalidate();
        }
    }

    private HttpRequest.Builder request(String path, UUID userId, UUID sessionId, UUID messageId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + tokens.token())
                .header("X-Parley-User", userId.toString());
        if (sessionId != null) {
            b.header("X-Parley-Session-Id", sessionId.toString());
        }
        if (messageId != null) {
            b.header("X-Parley-Message-Id", messageId.toString());
        }
        return b;
    }
}
