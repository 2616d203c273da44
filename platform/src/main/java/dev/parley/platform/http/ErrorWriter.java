package dev.parley.platform.http;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.error.ErrorBody;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/** Writes the error shape directly on a Vert.x response, for failures answered before JAX-RS runs. */
@ApplicationScoped
public class ErrorWriter {
    private final ObjectMapper mapper;

    public ErrorWriter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public void write(RoutingContext rc, int status, String code, String message, Map<String, Object> details) {
        HttpServerResponse response = rc.response();
        if (response.ended()) {
            return;
        }
        String body;
        try {
            String path = rc.request().path();
            if (path != null && path.startsWith("/v1/")) {
                // The gateway's OpenAI-compatible surface answers in OpenAI's error shape (ARCHITECTURE.md).
                body = mapper.writeValueAsString(java.util.Map.of("error", openAiError(status, code, message)));
            } else {
                body = mapper.writeValueAsString(ErrorBody.of(code, message, details, RequestIds.current(rc.request())));
            }
        } catch (JsonProcessingException e) {
            body = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"\",\"details\":{}}}";
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body);
    }

    private static java.util.Map<String, Object> openAiError(int status, String code, String message) {
        java.util.Map<String, Object> e = new java.util.LinkedHashMap<>();
        e.put("message", message);
        e.put("type", status >= 500 ? "server_error" : "invalid_request_error");
        e.put("param", null);
        e.put("code", code.toLowerCase(java.util.Locale.ROOT));
        return e;
    }
}
