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
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.client.ServiceTokenFilter;
import dev.parley.platform.client.ServiceTokenProvider;
import dev.parley.platform.config.ServiceUrls;
import dev.parley.session.config.SessionConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;

/**
 * The gateway's chat API for a turn, typed: what a model can do ({@link #model}), a chat completion
 * ({@link #chat}, a {@link ChatCompletion}) and a streamed one ({@link #chatStream}, {@link ChatDelta}s). Every call
 * acts for the user with session-service's service token, and names the session and the reply so usage is attributed
 * to the turn. Chat calls are never retried here: the gateway retries and falls back itself, and a repeated chat call
 * would be billed twice.
 * <p>
 * Two HTTP clients, each for a reason:
 * <ul>
 * <li>{@link GatewayApi}, a declarative REST client, for the model description and the plain chat. It is built here
 * rather than injected from {@code quarkus.rest-client.parley-gateway.*} because its read timeout is
 * {@code parley.session.gateway-timeout}, a Duration (the REST client key takes milliseconds), and the model
 * description gets a short one of its own (a default window beats a slow turn). The base URL is the same
 * {@code parley.gateway.url}, read through {@link ServiceUrls}.</li>
 * <li>The JDK {@link HttpClient} for the stream: a REST client cannot hand back a body that the caller reads as it
 * arrives and closes from another thread to stop the generation mid-way (the client leaving, a cancel).</li>
 * </ul>
 */
@ApplicationScoped
public class GatewayClient {
    /** What the gateway says of a model (cached 5 minutes). */
    public record ModelInfo(int contextWindow, int maxOutputTokens) { }

    /** A plain chat completion and the deployment that answered it ({@code x-parley-deployment}). */
    public record Completed(ChatCompletion completion, String deployment) { }

    private record Cached(ModelInfo info, long until) { }

    private static final Duration MODEL_TIMEOUT = Duration.ofSeconds(3);

    private final String base;
    private final ServiceTokenProvider tokens;
    private final ObjectMapper mapper;
    private final SessionConfig config;
    private final GatewayApi models;
    private final GatewayApi chats;
    private final HttpClient streams;
    private final Map<String, Cached> modelCache = new ConcurrentHashMap<>();

    public GatewayClient(ServiceUrls urls, ServiceTokenProvider tokens, ServiceTokenFilter tokenFilter, ObjectMapper mapper,
                         SessionConfig config) {
        this.base = ServiceUrls.base(urls.gateway());
        this.tokens = tokens;
        this.mapper = mapper;
        this.config = config;
        this.models = api(base, tokenFilter, MODEL_TIMEOUT);
        this.chats = api(base, tokenFilter, config.gatewayTimeout());
        this.streams = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    private static GatewayApi api(String base, ServiceTokenFilter tokenFilter, Duration readTimeout) {
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(base))
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .property("microprofile.rest.client.disable.default.mapper", true) // every status is read as an answer
                .register(tokenFilter)
                .build(GatewayApi.class);
    }

    /** The model's context window and output limit from {@code GET /v1/models/{id}}; defaults when unknown. */
    public ModelInfo model(UUID userId, String model) {
        Cached c = modelCache.get(model);
        long now = System.currentTimeMillis();
        if (c != null && c.until() > now) {
            return c.info();
        }
        ModelInfo info = new ModelInfo(config.defaultContextWindow(), 0);
        String id = URLEncoder.encode(model, StandardCharsets.UTF_8).replace("%2F", "/");
        try (Response r = models.model(id, userId.toString())) {
            if (r.getStatus() == 200) {
                JsonNode m = mapper.readTree(r.readEntity(byte[].class));
                int window = m.path("context_window").asInt(0);
                info = new ModelInfo(window > 0 ? window : config.defaultContextWindow(), m.path("max_output_tokens").asInt(0));
                modelCache.put(model, new Cached(info, now + 300_000));
            }
        } catch (IOException | RuntimeException e) {
            // the default window; the chat call itself will say whether the model exists
        }
        return info;
    }

    /**
     * A plain chat completion. GatewayError when the gateway answers with an error; IOException when it cannot be
     * reached, stops answering within {@code gateway-timeout}, or answers something that is not a completion.
     */
    public Completed chat(UUID userId, UUID sessionId, UUID messageId, ChatRequest request) throws GatewayError, IOException {
        Response r;
        try {
            r = chats.chat(request, userId.toString(), text(sessionId), text(messageId));
        } catch (ProcessingException e) {
            throw new IOException(e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
                    : "the gateway did not answer", e);
        }
        try (r) {
            byte[] body = r.readEntity(byte[].class);
            String deployment = r.getHeaderString("x-parley-deployment");
            if (r.getStatus() != 200) {
                throw ChatWire.error(r.getStatus(), body, deployment, mapper);
            }
            return new Completed(ChatWire.completion(mapper.readTree(body), mapper), deployment);
        } catch (ProcessingException e) {
            throw new IOException("the gateway's answer could not be read", e);
        }
    }

    /**
     * A streamed chat completion, read as it arrives (close it to stop the generation). GatewayError when the gateway
     * refuses or fails before streaming; IOException when it cannot be reached.
     */
    public ChatStream chatStream(UUID userId, UUID sessionId, UUID messageId, ChatRequest request)
            throws GatewayError, IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .timeout(config.gatewayTimeout())
                .header("Authorization", "Bearer " + tokens.token())
                .header("X-Parley-User", userId.toString())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream");
        if (sessionId != null) {
            b.header("X-Parley-Session-Id", sessionId.toString());
        }
        if (messageId != null) {
            b.header("X-Parley-Message-Id", messageId.toString());
        }
        HttpResponse<InputStream> resp = streams.send(b.POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(request)))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        if (resp.statusCode() == 401) {
            tokens.invalidate(); // rotated or revoked: the next call fetches a fresh service token
        }
        String deployment = resp.headers().firstValue("x-parley-deployment").orElse(null);
        if (resp.statusCode() != 200) {
            try (InputStream in = resp.body()) {
                throw ChatWire.error(resp.statusCode(), in.readNBytes(64 * 1024), deployment, mapper);
            }
        }
        return new ChatStream(resp.body(), deployment, mapper);
    }

    private static String text(UUID id) {
        return id == null ? null : id.toString();
    }
}
