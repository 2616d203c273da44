package dev.parley.devstack;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.OriginRequestProvider;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The local ingress: a Vert.x reverse proxy (vertx-http-proxy) that routes like the Kubernetes Ingress. Bodies stream
 * both ways (Server-Sent Events reach the client as the backend writes them). Unrouted paths get the platform's JSON
 * 404, an unreachable backend its JSON 503. Every forwarded request carries {@code X-Request-Id} (the client's, or a
 * new UUID) and {@code X-Forwarded-For/Proto/Host/Port}.
 *
 * <p>A service that is restarting does not turn into errors: while the launcher stops it on purpose ({@link #hold}),
 * new requests for it wait at the ingress, and a refused connection (the service not listening, e.g. after a crash)
 * is retried, in both cases for up to {@link #WAIT}; requests are sent on only once a connection is made, so any
 * method can wait. After that, the JSON 503.
 */
public final class Ingress implements AutoCloseable {

    static final String REQUEST_ID = "X-Request-Id";

    /** Longest a request waits for a held or unreachable service (the launcher's). */
    static final java.time.Duration WAIT = java.time.Duration.ofSeconds(20);
    private final java.time.Duration wait;
    private static final String TARGET = "parley.target";
    private static final String FAILURE = "parley.failure";
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

    private final IngressRoutes routes;
    private final Map<String, Integer> servicePorts;
    private final String backendHost;
    private final String bindHost;
    private final int port;

    private Vertx vertx;
    private HttpServer server;
    private final java.util.Set<String> held = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** New requests for this service wait (it is being stopped or restarted on purpose) until {@link #release}. */
    public void hold(String service) {
        held.add(service);
    }

    public void release(String service) {
        held.remove(service);
    }

    /** Where one request goes: the backend address and the (normalized) URI to ask it for. */
    private record Target(String service, SocketAddress origin, String uri) {
    }

    /**
     * @param servicePorts service name (as in the Ingress backends) to the port it listens on at {@code backendHost}
     * @param port         the port to listen on; 0 picks a free one (see {@link #port()})
     */
    public Ingress(IngressRoutes routes, Map<String, Integer> servicePorts, String backendHost, String bindHost, int port) {
        this(routes, servicePorts, backendHost, bindHost, port, WAIT);
    }

    /** As above, waiting at most {@code wait} for a held or unreachable service. */
    public Ingress(IngressRoutes routes, Map<String, Integer> servicePorts, String backendHost, String bindHost, int port,
                   java.time.Duration wait) {
        this.wait = wait;
        this.routes = routes;
        this.servicePorts = Map.copyOf(servicePorts);
        this.backendHost = backendHost;
        this.bindHost = bindHost;
        this.port = port;
    }

    /** Starts listening; returns the port it listens on. */
    public synchronized int start() {
        if (server != null) {
            return server.actualPort();
        }
        vertx = Vertx.vertx(new VertxOptions()
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        HttpClient client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5_000).setKeepAliveTimeout(30),
                new PoolOptions().setHttp1MaxSize(256));
        HttpProxy proxy = HttpProxy.reverseProxy(new ProxyOptions(), client);
        proxy.origin(ctx -> connect(ctx, ctx.get(TARGET, Target.class), System.nanoTime() + wait.toNanos()));
        proxy.addInterceptor(new Forwarding());

        HttpServer created = vertx.createHttpServer(new HttpServerOptions().setHost(bindHost).setPort(port));
        created.requestHandler(request -> {
            String requestId = requestId(request);
            Optional<Target> target = target(request);
            if (target.isEmpty()) {
                error(request, 404, "NOT_FOUND", "No route for this path", requestId);
            } else {
                proxy.handle(request);
            }
        });
        try {
            server = created.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new LaunchException("the ingress cannot listen on " + bindHost + ":" + port + ": " + cause.getMessage(), cause);
        }
        return server.actualPort();
    }

    /** The request to the backend, once the service is not held and accepts a connection (retried until the deadline). */
    private Future<io.vertx.core.http.HttpClientRequest> connect(ProxyContext ctx, Target target, long deadline) {
        if (held.contains(target.service()) && System.nanoTime() < deadline) {
            return later(ctx, target, deadline);
        }
        return ctx.client().request(new io.vertx.core.http.RequestOptions().setServer(target.origin())).recover(failure -> {
            if (failure instanceof java.net.ConnectException && System.nanoTime() < deadline) {
                return later(ctx, target, deadline);
            }
            return Future.failedFuture(failure);
        });
    }

    private Future<io.vertx.core.http.HttpClientRequest> later(ProxyContext ctx, Target target, long deadline) {
        io.vertx.core.Promise<io.vertx.core.http.HttpClientRequest> promise = io.vertx.core.Promise.promise();
        vertx.setTimer(100, t -> connect(ctx, target, deadline).onComplete(promise));
        return promise.future();
    }

    public synchronized int port() {
        return server == null ? -1 : server.actualPort();
    }

    @Override
    public synchronized void close() {
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Closing anyway: nothing left to do with it.
            }
            vertx = null;
            server = null;
        }
    }

    /** The request's id: the client's {@code X-Request-Id} if sane, else a new UUID; stored on the request headers. */
    private static String requestId(HttpServerRequest request) {
        String id = request.headers().get(REQUEST_ID);
        if (id == null || !CLIENT_REQUEST_ID.matcher(id).matches()) {
            id = UUID.randomUUID().toString();
            request.headers().set(REQUEST_ID, id);
        }
        return id;
    }

    private Optional<Target> target(HttpServerRequest request) {
        return IngressRoutes.normalizePath(request.path()).flatMap(path -> routes.match(path).flatMap(route -> {
            Integer backendPort = servicePorts.get(route.service());
            if (backendPort == null) {
                return Optional.empty();
            }
            String query = request.query();
            String uri = query == null ? path : path + "?" + query;
            return Optional.of(new Target(route.service(), SocketAddress.inetSocketAddress(backendPort, backendHost), uri));
        }));
    }

    static String errorBody(String code, String message, String requestId) {
        return new JsonObject()
                .put("error", new JsonObject().put("code", code).put("message", message).put("details", new JsonObject()))
                .put("request_id", requestId)
                .encode();
    }

    private static void error(HttpServerRequest request, int status, String code, String message, String requestId) {
        request.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader(REQUEST_ID, requestId)
                .end(errorBody(code, message, requestId));
    }

    /** Sets the forwarding headers and URI on the way in; turns "backend unreachable" into the JSON 503 on the way out. */
    private final class Forwarding implements ProxyInterceptor {

        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext ctx) {
            ProxyRequest out = ctx.request();
            HttpServerRequest in = out.proxiedRequest();
            Optional<Target> target = target(in);
            if (target.isEmpty()) { // routed a moment ago; cannot happen, but never guess a backend
                ctx.set(FAILURE, new IllegalStateException("no route"));
                return Future.failedFuture("no route");
            }
            ctx.set(TARGET, target.get());
            out.setURI(target.get().uri());
            MultiMap headers = out.headers();
            headers.set(REQUEST_ID, in.headers().get(REQUEST_ID));
            // The ingress is the edge: what a client claims in X-Forwarded-* is not passed on.
            headers.set("X-Forwarded-For", in.remoteAddress() == null ? "unknown" : in.remoteAddress().hostAddress());
            headers.set("X-Forwarded-Proto", in.scheme() == null ? "http" : in.scheme());
            String host = in.authority() != null ? in.authority().toString() : in.headers().get("Host"); // HTTP/2 has no Host
            if (host != null) {
                headers.set("X-Forwarded-Host", host);
            } else {
                headers.remove("X-Forwarded-Host");
            }
            headers.set("X-Forwarded-Port", Integer.toString(in.localAddress() == null ? port : in.localAddress().port()));
            return ctx.sendRequest().onFailure(failure -> ctx.set(FAILURE, failure));
        }

        @Override
        public Future<Void> handleProxyResponse(ProxyContext ctx) {
            ProxyResponse response = ctx.response();
            String requestId = ctx.request().proxiedRequest().headers().get(REQUEST_ID);
            if (ctx.get(FAILURE, Throwable.class) != null) {
                Target target = ctx.get(TARGET, Target.class);
                String service = target == null ? "the service" : target.service();
                response.headers().clear();
                response.setStatusCode(503).setStatusMessage("Service Unavailable")
                        .putHeader("Content-Type", "application/json")
                        .putHeader(REQUEST_ID, requestId)
                        .setBody(Body.body(Buffer.buffer(errorBody("SERVICE_UNAVAILABLE", service + " is not reachable", requestId))));
            } else if (!response.headers().contains(REQUEST_ID)) {
                response.putHeader(REQUEST_ID, requestId);
            }
            return ctx.sendResponse();
        }
    }
}
