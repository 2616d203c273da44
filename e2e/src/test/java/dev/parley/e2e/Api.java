package dev.parley.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Real HTTP with real JSON against a base URL (the ingress, or a service's own port). */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String base;
    /** Every response body of the run (first 64 KB each), for SecretsNeverLeakIT. */
    static final java.util.Queue<String> SEEN = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private static void seen(String body) {
        SEEN.add(body.length() > 65_536 ? body.substring(0, 65_536) : body);
    }

    Api(String base) {
        this.base = base;
    }

    record Response(int status, JsonNode json, String text, java.net.http.HttpHeaders headers) {
        JsonNode path(String field) {
            return json.path(field);
        }
    }

    /** One SSE event: its name and data. */
    record Event(String name, String data) {
        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new IllegalStateException(data, e);
            }
        }
    }

    Response get(String path, String bearer) {
        return send("GET", path, bearer, null, Map.of());
    }

    Response post(String path, String bearer, Object body) {
        return send("POST", path, bearer, body, Map.of());
    }

    Response put(String path, String bearer, Object body) {
        return send("PUT", path, bearer, body, Map.of());
    }

    Response delete(String path, String bearer) {
        return send("DELETE", path, bearer, null, Map.of());
    }

    Response send(String method, String path, String bearer, Object body, Map<String, String> headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            headers.forEach(b::header);
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
                    b.header("Content-Type", "application/json");
                }
                if (body instanceof byte[] raw) {
                    b.method(method, HttpRequest.BodyPublishers.ofByteArray(raw));
                } else {
                    String text = body instanceof String s ? s : JSON.writeValueAsString(body);
                    b.method(method, HttpRequest.BodyPublishers.ofString(text));
                }
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            seen(r.body());
            r.headers().map().forEach((k, v) -> seen(k + ": " + v));
            JsonNode json;
            try {
                json = r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
            } catch (IOException e) {
                json = JSON.missingNode();
            }
            return new Response(r.statusCode(), json, r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POSTs with Accept: text/event-stream and reads the whole stream. */
    List<Event> stream(String path, String bearer, Object body) {
        return stream(path, bearer, body, e -> { });
    }

    /** As above, telling {@code listener} each event as it arrives. */
    List<Event> stream(String path, String bearer, Object body, java.util.function.Consumer<Event> listener) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + bearer).header("Accept", "text/event-stream")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
            HttpResponse<java.io.InputStream> r = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                throw new AssertionError("stream " + path + " answered " + r.statusCode() + ": "
                        + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            List<Event> events = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String name = "message";
                StringBuilder data = new StringBuilder();
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            Event event = new Event(name, data.toString());
                            events.add(event);
                            listener.accept(event);
                        }
                        name = "message";
                        data.setLength(0);
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        if (data.length() > 0) {
                            data.append('\n');
                        }
                        data.append(line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5));
                    }
                }
                if (data.length() > 0) {
                    events.add(new Event(name, data.toString()));
                }
            }
            events.forEach(e -> seen(e.data()));
            return events;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
