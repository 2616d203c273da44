package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.devstack.IngressRoutes.Route;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

class IngressProxyTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Vertx vertx;
    private static Ingress ingress;
    private static int ingressPort;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();

    /** Completed by the upload backend when the first piece of a request body reaches it. */
    private static volatile CompletableFuture<String> firstBodyPiece = new CompletableFuture<>();
    /** Opened by a test to let the SSE backend write its second event. */
    private static volatile CompletableFuture<Void> secondEventGate = new CompletableFuture<>();
    private static final AtomicBoolean secondEventWritten = new AtomicBoolean();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        Handler<HttpServerRequest> authEcho = echo("auth");
        int authPort = listen(request -> {
            if (request.path().equals("/api/v1/auth/upload")) {
                upload(request);
            } else {
                authEcho.handle(request);
            }
        });
        Handler<HttpServerRequest> gatewayEcho = echo("gateway");
        int gatewayPort = listen(request -> {
            if (request.path().equals("/v1/stream")) {
                sse(request);
            } else {
                gatewayEcho.handle(request);
            }
        });
        int nothingListens;
        try (ServerSocket socket = new ServerSocket(0)) {
            nothingListens = socket.getLocalPort();
        }
        IngressRoutes routes = IngressRoutes.of(List.of(
                Route.prefix("/api/v1/auth", "auth-service"),
                Route.prefix("/v1", "llm-gateway-service"),
                Route.prefix("/api/v1/usage", "usage-service")));
        Map<String, Integer> ports = Map.of("auth-service", authPort, "llm-gateway-service", gatewayPort,
                "usage-service", nothingListens);
        ingress = new Ingress(routes, ports, "127.0.0.1", "127.0.0.1", 0, java.time.Duration.ofMillis(1500));
        ingressPort = ingress.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (ingress != null) {
            ingress.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRoutedRequestReachesItsBackendWithItsRequestIdAndForwardingHeaders() throws Exception {
        HttpResponse<String> response = http.send(request("/api/v1/auth/register?invite=1")
                .header("X-Request-Id", "req-routed-1")
                .header("X-Forwarded-For", "6.6.6.6")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice\"}")).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        JsonObject seen = new JsonObject(response.body());
        assertEquals("auth", seen.getString("backend"));
        assertEquals("POST", seen.getString("method"));
        assertEquals("/api/v1/auth/register?invite=1", seen.getString("uri"));
        assertEquals("{\"username\":\"alice\"}", seen.getString("body"));
        JsonObject headers = seen.getJsonObject("headers");
        assertEquals("req-routed-1", headers.getString("x-request-id"));
        assertEquals("127.0.0.1", headers.getString("x-forwarded-for"), "a client's own X-Forwarded-For is not trusted");
        assertEquals("http", headers.getString("x-forwarded-proto"));
        assertEquals("127.0.0.1:" + ingressPort, headers.getString("x-forwarded-host"));
        assertEquals(String.valueOf(ingressPort), headers.getString("x-forwarded-port"));
        assertEquals("req-routed-1", response.headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void eachPrefixGoesToItsOwnBackend() throws Exception {
        HttpResponse<String> gateway = http.send(request("/v1/models").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, gateway.statusCode());
        assertEquals("gateway", new JsonObject(gateway.body()).getString("backend"));
        assertEquals("/v1/models", new JsonObject(gateway.body()).getString("uri"));

        HttpResponse<String> auth = http.send(request("/api/v1/auth/login").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, auth.statusCode());
        assertEquals("auth", new JsonObject(auth.body()).getString("backend"));
    }

    @Test
    void aRequestWithoutIdGetsANewOneThatTheBackendAndTheClientBothSee() throws Exception {
        HttpResponse<String> response = http.send(request("/api/v1/auth/me").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        String forwarded = new JsonObject(response.body()).getJsonObject("headers").getString("x-request-id");
        assertNotNull(forwarded);
        UUID.fromString(forwarded);
        assertEquals(forwarded, response.headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void unroutedPathsGetTheJsonNotFound() throws Exception {
        for (String path : List.of("/internal/v1/service-tokens", "/q/health/ready", "/v10", "/api/v1/authx",
                "/api/v1/auth/../../../internal/v1/service-tokens", "/")) {
            HttpResponse<String> response = http.send(request(path).header("X-Request-Id", "req-404")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(404, response.statusCode(), path);
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow(), path);
            JsonObject body = new JsonObject(response.body());
            assertEquals("NOT_FOUND", body.getJsonObject("error").getString("code"), path);
            assertEquals("No route for this path", body.getJsonObject("error").getString("message"), path);
            assertEquals(new JsonObject(), body.getJsonObject("error").getJsonObject("details"), path);
            assertEquals("req-404", body.getString("request_id"), path);
        }
        HttpResponse<String> withoutId = http.send(request("/nowhere").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, withoutId.statusCode());
        String id = new JsonObject(withoutId.body()).getString("request_id");
        UUID.fromString(id);
        assertEquals(id, withoutId.headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void aBackendThatIsDownGivesTheJsonServiceUnavailable() throws Exception {
        HttpResponse<String> response = http.send(request("/api/v1/usage/stats").header("X-Request-Id", "req-503")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(503, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonObject body = new JsonObject(response.body());
        assertEquals("SERVICE_UNAVAILABLE", body.getJsonObject("error").getString("code"));
        assertEquals(new JsonObject(), body.getJsonObject("error").getJsonObject("details"));
        assertEquals("req-503", body.getString("request_id"));
    }

    /** A backend that starts listening while a request waits (a service coming back) gets the request, body and all. */
    @Test
    void aRequestWaitsForABackendThatComesUp() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Ingress waiting = new Ingress(IngressRoutes.of(List.of(Route.prefix("/api/v1/usage", "usage-service"))),
                Map.of("usage-service", port), "127.0.0.1", "127.0.0.1", 0, java.time.Duration.ofSeconds(10));
        int waitingPort = waiting.start();
        io.vertx.core.http.HttpServer late = null;
        try {
            var pending = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + waitingPort + "/api/v1/usage/x"))
                    .timeout(java.time.Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString("{\"late\":true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(1000); // nothing listens yet: the ingress retries
            late = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> r.response().end("got " + b)))
                    .listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            HttpResponse<String> response = pending.get(15, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("got {\"late\":true}", response.body());
        } finally {
            waiting.close();
            if (late != null) {
                late.close();
            }
        }
    }

    @Test
    void serverSentEventsAreNotBuffered() throws Exception {
        secondEventGate = new CompletableFuture<>();
        secondEventWritten.set(false);
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            HttpResponse<InputStream> response;
            try {
                response = http.sendAsync(request("/v1/stream").header("Accept", "text/event-stream").GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("no response head while the stream was still open: the ingress buffers", e);
            }
            assertEquals(200, response.statusCode());
            assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElseThrow());
            BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));

            String first;
            try {
                first = reader.submit(() -> nextDataLine(lines)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the first event did not arrive while the stream was still open: the ingress buffers", e);
            }
            assertEquals("data: one", first);
            assertFalse(secondEventWritten.get(), "the backend must not have written the second event yet");

            secondEventGate.complete(null);
            String second = reader.submit(() -> nextDataLine(lines)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("data: two", second);
            assertTrue(secondEventWritten.get());
        } finally {
            secondEventGate.complete(null);
            reader.shutdownNow();
        }
    }

    @Test
    void requestBodiesStreamToTheBackend() throws Exception {
        firstBodyPiece = new CompletableFuture<>();
        try (Socket socket = new Socket("127.0.0.1", ingressPort)) {
            socket.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/auth/upload HTTP/1.1\r\nHost: 127.0.0.1:" + ingressPort + "\r\n"
                    + "Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nfirst\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            try {
                assertEquals("first", firstBodyPiece.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            } catch (TimeoutException e) {
                throw new AssertionError("the backend saw nothing of a body still being sent: the ingress buffers requests", e);
            }
            out.write("6\r\nsecond\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 200 OK", in.readLine());
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // headers
            }
            char[] body = new char["firstsecond".length()];
            int read = 0;
            while (read < body.length) {
                int n = in.read(body, read, body.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            assertEquals("firstsecond", new String(body, 0, read));
        }
    }

    private static String nextDataLine(BufferedReader lines) throws Exception {
        String line;
        while ((line = lines.readLine()) != null) {
            if (!line.isEmpty()) {
                return line;
            }
        }
        return null;
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingressPort + path)).timeout(WAIT);
    }

    private static int listen(Handler<HttpServerRequest> handler) throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return server.actualPort();
    }

    /** A backend that answers with what it received: its name, method, URI, body and headers. */
    private static Handler<HttpServerRequest> echo(String name) {
        return request -> request.body().onSuccess(body -> {
            JsonObject headers = new JsonObject();
            request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            JsonObject seen = new JsonObject()
                    .put("backend", name)
                    .put("method", request.method().name())
                    .put("uri", request.uri())
                    .put("body", body.toString())
                    .put("headers", headers);
            request.response().putHeader("Content-Type", "application/json").end(seen.encode());
        });
    }

    /** Reports the first piece of the body as soon as it arrives, answers with the whole body at the end. */
    private static void upload(HttpServerRequest request) {
        StringBuilder received = new StringBuilder();
        request.handler(piece -> {
            if (received.length() == 0) {
                firstBodyPiece.complete(piece.toString());
            }
            received.append(piece.toString());
        });
        request.endHandler(v -> request.response().putHeader("Content-Type", "text/plain")
                .putHeader("Content-Length", String.valueOf(received.length())).end(received.toString()));
    }

    private static void sse(HttpServerRequest request) {
        Context context = Vertx.currentContext();
        var response = request.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache");
        response.write("data: one\n\n");
        secondEventGate.thenRun(() -> context.runOnContext(v -> {
            secondEventWritten.set(true);
            response.write("data: two\n\n");
            response.end();
        }));
    }
}
