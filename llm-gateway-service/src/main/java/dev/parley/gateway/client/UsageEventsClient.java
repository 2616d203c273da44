package dev.parley.gateway.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.parley.gateway.config.GatewayConfig;
import dev.parley.platform.client.ServiceTokenProvider;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Delivers batches of usage events to usage-service's {@code POST /internal/v1/usage-events} with the gateway's
 * service token. The events are already JSON (as stored in the outbox): the batch body is assembled, not re-encoded.
 * Retries are the relay's business (it keeps the batch in the outbox until a 2xx).
 */
@ApplicationScoped
public class UsageEventsClient {
    private final URI endpoint;
    private final Duration timeout;
    private final ServiceTokenProvider tokens;
    private final HttpClient http;

    public UsageEventsClient(@ConfigProperty(name = "parley.usage.url", defaultValue = "http://127.0.0.1:8085") String usageUrl,
                             GatewayConfig config, ServiceTokenProvider tokens) {
        this.endpoint = URI.create(usageUrl.replaceAll("/+$", "") + "/internal/v1/usage-events");
        this.timeout = config.relay().requestTimeout();
        this.tokens = tokens;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The HTTP status usage-service answered (a 2xx means every event of the batch is stored). */
    public int deliver(List<String> eventsJson) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder(eventsJson.size() * 400).append("{\"events\":[");
        for (int i = 0; i < eventsJson.size(); i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append(eventsJson.get(i));
        }
        body.append("]}");
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + tokens.token())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 401) {
            tokens.invalidate();
        }
        return status;
    }
}
