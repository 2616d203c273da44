package dev.parley.platform.http;

import java.util.Map;
import java.util.regex.Pattern;

import dev.parley.platform.config.HttpConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.MDC;

/**
 * Runs first on every request of every service: request id (accepted or generated, echoed, in the logging context),
 * security headers, the body-size limit ({@code parley.http.max-body-size}, or {@code large-body-size} on the
 * {@code large-body-paths}; 413 in the error shape instead of Vert.x's empty answer), and a last route
 * that answers unknown paths with the error shape instead of Vert.x's plain-text 404.
 */
@ApplicationScoped
public class HttpFilters {
    static final int PRIORITY = 10_000;

    private final ErrorWriter errors;
    private final long maxBody;
    private final Pattern largeBodyPaths;
    private final long maxLargeBody;

    public HttpFilters(HttpConfig config, ErrorWriter errors) {
        this.errors = errors;
        this.maxBody = config.maxBodySize().asLongValue();
        this.largeBodyPaths = config.largeBodyPaths().map(Pattern::compile).orElse(null);
        this.maxLargeBody = config.largeBodySize().map(m -> m.asLongValue()).orElse(maxBody);
    }

    /** The body limit of a request path. */
    long maxBodyOf(String path) {
        return largeBodyPaths != null && path != null && largeBodyPaths.matcher(path).matches() ? maxLargeBody : maxBody;
    }

    void register(@Observes Filters filters) {
        filters.register(this::handle, PRIORITY);
    }

    void lastRoute(@Observes Router router) {
        router.route().order(Integer.MAX_VALUE - 1).handler(rc ->
                errors.write(rc, 404, "NOT_FOUND", "No such endpoint: " + safePath(rc.request().path()), Map.of()));
    }

    void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String requestId = RequestIds.accept(request.getHeader(RequestIds.HEADER));
        request.headers().set(RequestIds.HEADER, requestId);
        MDC.put(RequestIds.MDC_KEY, requestId);

        HttpServerResponse response = rc.response();
        response.putHeader(RequestIds.HEADER, requestId);
        response.putHeader("X-Content-Type-Options", "nosniff");
        response.putHeader("X-Frame-Options", "DENY");
        response.putHeader("Referrer-Policy", "no-referrer");
        String path = request.path();
        if (path != null && !path.startsWith("/q/")) {
            response.putHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
            // API answers carry user data and tokens: never cached, unless the endpoint chose a policy (the JWKS).
            rc.addHeadersEndHandler(v -> {
                if (!response.headers().contains("Cache-Control")) {
                    response.putHeader("Cache-Control", "no-store");
                }
            });
        }
        rc.addEndHandler(v -> MDC.remove(RequestIds.MDC_KEY));

        String length = request.getHeader("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                errors.write(rc, 400, "BAD_REQUEST", "Content-Length is not a number", Map.of());
                return;
            }
            long max = maxBodyOf(request.path());
            if (declared > max) {
                response.putHeader("Connection", "close");
                errors.write(rc, 413, "PAYLOAD_TOO_LARGE", "The request body is too large",
                        Map.of("max_bytes", max));
                return;
            }
        }
        rc.next();
    }

    private static String safePath(String path) {
        if (path == null) {
            return "";
        }
        String p = path.length() > 200 ? path.substring(0, 200) : path;
        return p.replaceAll("[^A-Za-z0-9/._~%-]", "?");
    }
}
