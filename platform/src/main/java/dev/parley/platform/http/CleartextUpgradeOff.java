package dev.parley.platform.http;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Cleartext HTTP/2 upgrades ({@code Upgrade: h2c}) are ignored: requests that carry the header are served as plain
 * HTTP/1.1. With the upgrade on, Vert.x answers 400 to an {@code Upgrade: h2c} whose {@code Connection} header a proxy
 * stripped, so a client behind such a proxy could not call Parley at all. TLS (ALPN) HTTP/2 is unaffected.
 */
@ApplicationScoped
public class CleartextUpgradeOff implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }
}
