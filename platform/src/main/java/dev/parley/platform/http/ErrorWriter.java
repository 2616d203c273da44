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
            body = mapper.writeValueAsString(ErrorBody.of(code, message, details, RequestIds.current(rc.request())));
        } catch (JsonProcessingException e) {
            body = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"\",\"details\":{}}}";
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body);
    }
}
