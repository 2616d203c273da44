package dev.parley.gateway.client;

import java.net.InetAddress;
import java.net.URI;

import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.provider.Provider;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one non-blocking HTTP client to providers (Vert.x, pooled keep-alive connections). Requests carry only the
 * headers built here: nothing of the client's request is forwarded, so hop-by-hop and connection-level headers
 * (Connection, Upgrade, HTTP2-Settings, Keep-Alive, TE, Transfer-Encoding) can never reach a provider.
 */
@ApplicationScoped
public class UpstreamHttp {
    private final HttpClient client;
    private final long connectTimeoutMs;

    public UpstreamHttp(Vertx vertx, GatewayConfig config) {
        this.connectTimeoutMs = config.upstream().connectTimeout().toMillis();
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(60)
                .setConnectTimeout((int) connectTimeoutMs)
                .setVerifyHost(true)
                .setTryUseCompression(false)
                .setDecompressionSupported(true)
                .setMaxInitialLineLength(8192)
                .setTcpNoDelay(true);
        PoolOptions pool = new PoolOptions()
                .setHttp1MaxSize(config.upstream().maxConnectionsPerHost())
                .setMaxWaitQueueSize(10_000);
        this.client = vertx.createHttpClient(options, pool);
    }

    /**
     * Opens a POST of {@code body} to {@code base + path} in the way {@code provider} takes it: its credential header,
     * its signature if it signs requests, the media type its stream framing uses. The connection goes to the address
     * the egress policy checked (the URL's host still goes in the Host header and TLS SNI). The caller sends the body.
     */
    public Future<HttpClientRequest> post(URI base, String path, InetAddress address, Provider provider, String credential,
                                          Buffer body, boolean stream, long idleTimeoutMs) {
        boolean https = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : (https ? 443 : 80);
        String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        String uri = basePath + path;
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json")
                .add("Accept", stream ? provider.framing().mediaType() : "application/json")
                .add("User-Agent", "parley-gateway");
        provider.authenticate(headers, credential);
        provider.sign(headers, base.getHost(), uri, body, credential);
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(base.getHost())
                .setPort(port)
                .setSsl(https)
                .setURI(uri)
                .setHeaders(headers)
                .setConnectTimeout(connectTimeoutMs)
                .setIdleTimeout(idleTimeoutMs);
        return client.request(options);
    }

    /**
     * A GET of {@code base + path} with the provider's credential (a server's model list), to the checked address;
     * the whole exchange fails after {@code timeoutMs}.
     */
    public Future<HttpClientResponse> get(URI base, String path, InetAddress address, Provider provider, String credential,
                                          long timeoutMs) {
        boolean https = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : (https ? 443 : 80);
        String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Accept", "application/json")
                .add("User-Agent", "parley-gateway");
        provider.authenticate(headers, credential);
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(base.getHost())
                .setPort(port)
                .setSsl(https)
                .setURI(basePath + path)
                .setHeaders(headers)
                .setConnectTimeout(Math.min(connectTimeoutMs, timeoutMs))
                .setTimeout(timeoutMs);
        return client.request(options).compose(HttpClientRequest::send);
    }

    /**
     * Reads a whole (non-streamed) answer up to {@code max} bytes; a longer one resets the request and fails. Exactly
     * one of {@code done} and {@code failed} is called.
     */
    public static void readBody(HttpClientResponse resp, int max, Handler<Buffer> done, Handler<Throwable> failed) {
        Buffer acc = Buffer.buffer();
        boolean[] over = {false};
        resp.handler(chunk -> {
            if (over[0]) {
                return;
            }
            if (acc.length() + chunk.length() > max) {
                over[0] = true;
                resp.request().reset();
                failed.handle(new IllegalStateException("the provider's answer exceeds " + max + " bytes"));
                return;
            }
            acc.appendBuffer(chunk);
        });
        resp.exceptionHandler(err -> {
            if (!over[0]) {
                over[0] = true;
                failed.handle(err);
            }
        });
        resp.endHandler(v -> {
            if (!over[0]) {
                done.handle(acc);
            }
        });
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
