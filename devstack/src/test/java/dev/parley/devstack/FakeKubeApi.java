package dev.parley.devstack;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Just enough of a Kubernetes API server for Helm's {@code lookup} of a Secret: discovery of {@code v1} and
 * {@code GET /api/v1/namespaces/<ns>/secrets/<name>}, answered from {@link #secrets}, 404 otherwise. Written to the
 * kubeconfig that the devstack module's surefire configuration names in {@code KUBECONFIG}.
 */
final class FakeKubeApi {
    private static FakeKubeApi instance;

    /** "namespace/name" → the Secret's JSON. */
    final Map<String, String> secrets = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    private FakeKubeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        String kubeconfig = System.getenv("KUBECONFIG");
        if (kubeconfig == null) {
            throw new IllegalStateException("KUBECONFIG is not set: run through Maven (devstack's surefire sets it)");
        }
        Path file = Path.of(kubeconfig);
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters: [{name: fake, cluster: {server: "http://127.0.0.1:%d"}}]
                users: [{name: fake, user: {token: not-a-real-token}}]
                contexts: [{name: fake, context: {cluster: fake, user: fake}}]
                current-context: fake
                """.formatted(server.getAddress().getPort()));
    }

    static synchronized FakeKubeApi get() {
        if (instance == null) {
            try {
                instance = new FakeKubeApi();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        requests.add(ex.getRequestMethod() + " " + path);
        String body;
        int status = 200;
        if (path.equals("/version")) {
            body = "{\"major\":\"1\",\"minor\":\"30\",\"gitVersion\":\"v1.30.0\"}";
        } else if (path.equals("/api")) {
            body = "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[]}";
        } else if (path.equals("/apis")) {
            body = "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}";
        } else if (path.equals("/api/v1")) {
            body = "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":[{\"name\":\"secrets\","
                    + "\"singularName\":\"secret\",\"namespaced\":true,\"kind\":\"Secret\",\"verbs\":[\"get\",\"list\"]}]}";
        } else if (path.startsWith("/api/v1/namespaces/") && path.contains("/secrets/")) {
            String[] parts = path.split("/");
            String secret = parts.length == 7 ? secrets.get(parts[4] + "/" + parts[6]) : null;
            if (secret != null) {
                body = secret;
            } else {
                status = 404;
                body = notFound();
            }
        } else {
            status = 404;
            body = notFound();
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String notFound() {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404,"
                + "\"message\":\"not found\"}";
    }
}
