package dev.parley.session.client;

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
import dev.parley.session.config.SessionConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * memory-service's internal API: the memories for a prompt (bounded by {@code memory-timeout}; a failure means "no
 * memories", never a failed turn), extraction of an exchange, and dropping a deleted session's memories.
 */
@ApplicationScoped
public class MemoryClient {
    public record Memory(String id, String content, double score) { }

    /** {@code available}: memory-service answered in time. */
    public record Context(boolean available, List<Memory> memories, String text) {
        public static final Context UNAVAILABLE = new Context(false, List.of(), "");
    }

    private final String base;
    private final ServiceTokenProvider tokens;
    private final ObjectMapper mapper;
    private final SessionConfig config;
    private final HttpClient http;

    public MemoryClient(@ConfigProperty(name = "parley.memory.url", defaultValue = "http://127.0.0.1:8084") String memoryUrl,
                        ServiceTokenProvider tokens, ObjectMapper mapper, SessionConfig config) {
        this.base = memoryUrl.replaceAll("/+$", "");
        this.tokens = tokens;
        this.mapper = mapper;
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.memoryTimeout()).version(HttpClient.Version.HTTP_1_1).build();
    }

    public Context context(UUID userId, UUID sessionId, String query, int tokenBudget) {
        try {
            byte[] body = mapper.writeValueAsBytes(Map.of("user_id", userId, "session_id", sessionId, "query", query,
                    "token_budget", tokenBudget));
            HttpResponse<byte[]> resp = http.send(post("/internal/v1/context", body).timeout(config.memoryTimeout()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() != 200) {
                return Context.UNAVAILABLE;
            }
            JsonNode root = mapper.readTree(resp.body());
            List<Memory> memories = new ArrayList<>();
            for (JsonNode m : root.path("memories")) {
                memories.add(new Memory(m.path("id").asText(), m.path("content").asText(""), m.path("score").asDouble()));
            }
            return new Context(true, memories, root.path("text").asText(""));
        } catch (IOException e) {
            return Context.UNAVAILABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Context.UNAVAILABLE;
        }
    }

    /** Hands a finished exchange to extraction; true when memory-service took it (2xx). */
    public boolean extract(UUID userId, UUID sessionId, List<Map<String, Object>> messages) {
        try {
            byte[] body = mapper.writeValueAsBytes(Map.of("user_id", userId, "session_id", sessionId, "messages", messages));
            return http.send(post("/internal/v1/extract", body).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Drops a deleted session's memories; true when memory-service confirmed (2xx, as its contract answers 204). */
    public boolean deleteSession(UUID sessionId, UUID userId) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/internal/v1/sessions/" + sessionId + "?user_id=" + userId))
                .header("Authorization", "Bearer " + tokens.token()).timeout(Duration.ofSeconds(5)).DELETE().build();
        int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        return status / 100 == 2;
    }

    private HttpRequest.Builder post(String path, byte[] body) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + tokens.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }
}
