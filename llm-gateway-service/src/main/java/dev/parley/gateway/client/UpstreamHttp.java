package dev.parley.gateway.client;

import java.net.InetAddress;
import java.net.URI;

import dev.parley.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
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
     * Opens a POST to {@code baseUrl + path}, connecting to the address the egress policy checked (the URL's host
     * still goes in the Host header and TLS SNI).
     */
    public Future<HttpClientRequest> post(URI base, String path, InetAddress address, String apiKey, boolean stream,
                                          long idleTimeoutMs) {
        return post(base, path, address, apiKey, null, stream, idleTimeoutMs);
    }

    /**
     * As above, with the key placed as the provider's {@code dialect} wants it (a header in every case; OpenAI's
     * {@code Authorization: Bearer} when {@code dialect} is null).
     */
    public Future<HttpClientRequest> post(URI base, String path, InetAddress address, String apiKey,
                                          dev.parley.gateway.service.wire.Dialect dialect, boolean stream,
                                          long idleTimeoutMs) {
        boolean https = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : (https ? 443 : 80);
        String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json")
                .add("Accept", stream ? "text/event-stream" : "application/json")
                .add("User-Agent", "parley-gateway");
        if (dialect != null) {
            dialect.authenticate(headers, apiKey);
        } else if (apiKey != null && !apiKey.isEmpty()) {
            headers.add("Authorization", "Bearer " + apiKey);
        }
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(base.getHost())
                .setPort(port)
                .setSsl(https)
                .setURI(basePath + path)
                .setHeaders(headers)
                .setConnectTimeout(connectTimeoutMs)
                .setIdleTimeout(idleTimeoutMs);
        return client.request(options);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
