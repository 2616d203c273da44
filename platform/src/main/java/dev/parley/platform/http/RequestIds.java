package dev.parley.platform.http;

import java.util.regex.Pattern;

import io.vertx.core.http.HttpServerRequest;
import org.jboss.logging.MDC;

/** Request ids: taken from {@code X-Request-Id} when well-formed, generated otherwise. */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "request_id";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() { }

    /** The id to use for a request carrying this header value (null when absent). */
    public static String accept(String incoming) {
        if (incoming != null && SAFE.matcher(incoming).matches()) {
            return incoming;
        }
        return Uuids.v7().toString();
    }

    /** The current request's id: the (normalised) request header, else the logging context, else a fresh one. */
    public static String current(HttpServerRequest request) {
        if (request != null) {
            String h = request.getHeader(HEADER);
            if (h != null) {
                return h;
            }
        }
        return current();
    }

    public static String current() {
        Object fromMdc = MDC.get(MDC_KEY);
        return fromMdc != null ? fromMdc.toString() : Uuids.v7().toString();
    }
}
