package dev.parley.memory.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.client.ServiceTokenProvider;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The gateway's {@code /v1/embeddings} for a memory embedding model other than the local one, called with
 * memory-service's service token acting for the memory's owner. Embedding a text is safe to repeat: one retry after
 * a connection failure, a 5xx or a 401 (with a fresh service token).
 */
@ApplicationScoped
public class GatewayClient {
    private final String base;
    private final ServiceTokenProvider tokens;
    private final ObjectMapper mapper;
    private final HttpClient http;

    public GatewayClient(@ConfigProperty(name = "parley.gateway.url", defaultValue = "http://127.0.0.1:8083") String gatewayUrl,
                         ServiceTokenProvider tokens, ObjectMapper mapper) {
        this.base = gatewayUrl.replaceAll("/+$", "");
        this.tokens = tokens;
        this.mapper = mapper;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The texts' vectors from {@code model}; IOException when the gateway cannot give them. */
    public List<float[]> embed(UUID userId, String model, List<String> texts) throws IOException, InterruptedException {
        byte[] body = mapper.writeValueAsBytes(Map.of("model", model, "input", texts));
        IOException last = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/embeddings"))
                    .header("Authorization", "Bearer " + tokens.token())
                    .header("X-Parley-User", userId.toString())
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            try {
                HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                if (resp.statusCode() == 401) {
                    // the service token was rotated or revoked: once more with a fresh one
                    tokens.invalidate();
                    last = new IOException("gateway answered 401 to /v1/embeddings");
                    continue;
                }
                if (resp.statusCode() == 200) {
                    JsonNode data = mapper.readTree(resp.body()).path("data");
                    List<float[]> out = new ArrayList<>(texts.size());
                    for (int i = 0; i < texts.size(); i++) {
                        out.add(null);
                    }
                    for (JsonNode d : data) {
                        JsonNode e = d.path("embedding");
                        float[] v = new float[e.size()];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = (float) e.get(i).asDouble();
                        }
                        out.set(d.path("index").asInt(), v);
                    }
                    if (out.contains(null)) {
                        throw new IOException("the gateway's embeddings answer lacks some inputs");
                    }
                    return out;
                }
                last = new IOException("gateway answered " + resp.statusCode() + " to /v1/embeddings");
                if (resp.statusCode() < 500) {
                    throw last;
                }
            } catch (java.net.ConnectException | java.net.http.HttpTimeoutException e) {
                last = e;
            }
        }
        throw last;
    }
}
