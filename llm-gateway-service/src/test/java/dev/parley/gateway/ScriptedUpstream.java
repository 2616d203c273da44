package dev.parley.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * A provider whose behaviour a test scripts at the byte level, for what WireMock cannot do: a stream that breaks
 * after some chunks, an upstream that hangs, one that notices the gateway hanging up. Each test uses its own path.
 */
final class ScriptedUpstream {
    private static final Vertx VERTX = Vertx.vertx();
    private static final Map<String, Consumer<HttpServerRequest>> SCRIPTS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    private static final Map<String, CountDownLatch> CLOSED = new ConcurrentHashMap<>();
    private static volatile HttpServer server;

    private ScriptedUpstream() { }

    static synchronized String baseUrl() {
        if (server == null) {
            server = VERTX.createHttpServer().requestHandler(req -> {
                String base = req.path().replaceAll("/chat/completions$|/embeddings$", "");
                CALLS.computeIfAbsent(base, k -> new AtomicInteger()).incrementAndGet();
                req.connection().closeHandler(v -> CLOSED.computeIfAbsent(base, k -> new CountDownLatch(1)).countDown());
                Consumer<HttpServerRequest> script = SCRIPTS.get(base);
                if (script == null) {
                    req.response().setStatusCode(404).end();
                } else {
                    req.body().onComplete(b -> script.accept(req));
                }
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        }
        return "http://127.0.0.1:" + server.actualPort();
    }

    static Vertx vertx() {
        return VERTX;
    }

    /** Scripts a base path such as {@code /s-<uuid>/v1}; answers the full base URL for a provider key. */
    static String script(String basePath, Consumer<HttpServerRequest> script) {
        String url = baseUrl() + basePath;
        SCRIPTS.put(basePath, script);
        return url;
    }

    static int calls(String basePath) {
        AtomicInteger n = CALLS.get(basePath);
        return n == null ? 0 : n.get();
    }

    /** Whether a connection that served this base path was closed (by the gateway) within the time. */
    static boolean closedWithin(String basePath, long millis) throws InterruptedException {
        return CLOSED.computeIfAbsent(basePath, k -> new CountDownLatch(1)).await(millis, TimeUnit.MILLISECONDS);
    }

    static String chunk(String content, String finishReason) {
        return "data: {\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"created\":1747215858,"
                + "\"model\":\"scripted\",\"choices\":[{\"index\":0,\"delta\":" + (content == null ? "{}"
                : "{\"content\":\"" + content + "\"}") + ",\"logprobs\":null,\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}\n\n";
    }
}
