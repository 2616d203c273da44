package dev.parley.memory.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.client.ServiceTokenProvider;
import dev.parley.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * session-service's {@code GET /internal/v1/sessions/{id}/messages}: a stretch of a user's conversation, read with the
 * service token. A read, so one retry after a connection failure, a 5xx or a 401 (with a fresh service token).
 */
@ApplicationScoped
public class SessionClient {
    /** One message of the stretch. */
    public record Line(UUID id, String role, String content) { }

    private final String base;
    private final ServiceTokenProvider tokens;
    private final ObjectMapper mapper;
    private final HttpClient http;

    public SessionClient(@ConfigProperty(name = "parley.session.url", defaultValue = "http://127.0.0.1:8082") String sessionUrl,
                         ServiceTokenProvider tokens, ObjectMapper mapper) {
        this.base = sessionUrl.replaceAll("/+$", "");
        this.tokens = tokens;
        this.mapper = mapper;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The stretch, oldest first; 404 passed on when the session or a message is not the user's. */
    public List<Line> stretch(UUID userId, UUID sessionId, UUID from, UUID to) {
        StringBuilder url = new StringBuilder(base).append("/internal/v1/sessions/").append(sessionId).append("/messages?user_id=")
                .append(URLEncoder.encode(userId.toString(), StandardCharsets.UTF_8));
        if (from != null) {
            url.append("&from_message_id=").append(from);
        }
        if (to != null) {
            url.append("&to_message_id=").append(to);
        }
        for (int attempt = 0; ; attempt++) {
            try {
                HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(url.toString()))
                        .header("Authorization", "Bearer " + tokens.token()).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                int status = resp.statusCode();
                if (status == 200) {
                    List<Line> out = new ArrayList<>();
                    for (JsonNode m : mapper.readTree(resp.body()).path("data")) {
                        out.add(new Line(UUID.fromString(m.path("id").asText()), m.path("role").asText(), m.path("content").asText("")));
                    }
                    return out;
                }
                if (status == 404 || status == 400) {
                    JsonNode err = mapper.readTree(resp.body()).path("error");
                    throw new ApiException(status, err.path("code").asText(status == 404 ? "SESSION_NOT_FOUND" : "VALIDATION_FAILED"),
                            err.path("message").asText("session-service refused the stretch."));
                }
                if (status == 401 && attempt == 0) {
                    tokens.invalidate(); // rotated or revoked: once more with a fresh service token
                    continue;
                }
                if (status < 500 || attempt >= 1) {
                    throw unavailable();
                }
            } catch (IOException e) {
                if (attempt >= 1) {
                    throw unavailable();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unavailable();
            }
        }
    }

    private static ApiException unavailable() {
        return new ApiException(503, "SESSION_SERVICE_UNAVAILABLE", "The conversation could not be read from session-service.");
    }
}
