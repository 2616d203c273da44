package dev.parley.gateway.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.platform.client.ServiceTokenProvider;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * usage-service's {@code GET /internal/v1/budget-check?user_id=&access_key_id=} with the gateway's service token,
 * bounded by {@code parley.gateway.budget.timeout}. Blocking: called off the event loop. Its caller caches the
 * answers and stops calling for a while after a failure (a circuit breaker), so retries would only add latency.
 */
@ApplicationScoped
public class BudgetClient {
    /** usage-service's answer: allowed, and when not, which budget. */
    public record Answer(boolean allowed, String reason) { }

    private final String endpoint;
    private final Duration timeout;
    private final ServiceTokenProvider tokens;
    private final ObjectMapper mapper;
    private final HttpClient http;

    public BudgetClient(@ConfigProperty(name = "parley.usage.url", defaultValue = "http://127.0.0.1:8085") String usageUrl,
                        GatewayConfig config, ServiceTokenProvider tokens, ObjectMapper mapper) {
        this.endpoint = usageUrl.replaceAll("/+$", "") + "/internal/v1/budget-check";
        this.timeout = config.budget().timeout();
        this.tokens = tokens;
        this.mapper = mapper;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Throws when usage-service cannot give an answer (unreachable, timeout, non-2xx, not the contract's JSON). */
    public Answer check(UUID userId, UUID accessKeyId) throws IOException, InterruptedException {
        String query = "?user_id=" + URLEncoder.encode(userId.toString(), StandardCharsets.UTF_8)
                + (accessKeyId == null ? "" : "&access_key_id=" + URLEncoder.encode(accessKeyId.toString(), StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + query))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + tokens.token())
                .GET()
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 401) {
            tokens.invalidate();
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("usage-service answered HTTP " + response.statusCode() + " to the budget check");
        }
        JsonNode body = mapper.readTree(response.body());
        if (body == null || !body.path("allowed").isBoolean()) {
            throw new IOException("usage-service's budget check answer has no boolean 'allowed'");
        }
        return new Answer(body.get("allowed").asBoolean(), body.path("reason").asText(null));
    }
}
