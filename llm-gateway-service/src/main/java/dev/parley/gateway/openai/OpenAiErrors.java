package dev.parley.gateway.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.platform.egress.EgressException;
import dev.parley.platform.error.ApiException;
import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Writes {@link OpenAiException}s (and anything unexpected, as a 500 without details) in OpenAI's error shape. */
@ApplicationScoped
public class OpenAiErrors {
    private static final Logger LOG = Logger.getLogger(OpenAiErrors.class);
    private final ObjectMapper mapper;

    public OpenAiErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The OpenAI-shaped equivalent of any failure raised while serving a {@code /v1} call. */
    public static OpenAiException translate(Throwable t) {
        if (t instanceof OpenAiException o) {
            return o;
        }
        if (t instanceof AuthenticationFailedException) {
            return OpenAiException.unauthenticated("Invalid or missing credentials: send 'Authorization: Bearer <access key or token>'.");
        }
        if (t instanceof EgressException e) {
            return e.reason() == EgressException.Reason.UNRESOLVABLE
                    ? new OpenAiException(502, "server_error", "upstream_unreachable", null,
                            "The provider's host name " + e.host() + " cannot be resolved.")
                    : new OpenAiException(400, "invalid_request_error", "egress_refused", null,
                            "The provider's base URL is refused by the gateway's egress policy: " + e.getMessage() + ".");
        }
        if (t instanceof ApiException a) {
            String type = a.status() == 401 ? "invalid_request_error"
                    : a.status() == 429 ? "rate_limit_error"
                    : a.status() >= 500 ? "server_error" : "invalid_request_error";
            return new OpenAiException(a.status(), type, a.code().toLowerCase(java.util.Locale.ROOT), null, a.getMessage());
        }
        LOG.error("unexpected failure on the /v1 surface", t);
        return new OpenAiException(500, "server_error", "internal_error", null, "The gateway failed to process the request.");
    }

    public String body(OpenAiException e) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        if (e.param() == null) {
            error.putNull("param");
        } else {
            error.put("param", e.param());
        }
        if (e.code() == null) {
            error.putNull("code");
        } else {
            error.put("code", e.code());
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public void write(RoutingContext rc, Throwable failure) {
        OpenAiException e = translate(failure);
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            // A stream already started: the error travels as one more event, as OpenAI's own streams do.
            response.end("data: " + body(e) + "\n\n");
            return;
        }
        response.setStatusCode(e.status()).putHeader("Content-Type", "application/json");
        if (e.retryAfterSeconds() != null) {
            response.putHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        response.end(body(e));
    }
}
