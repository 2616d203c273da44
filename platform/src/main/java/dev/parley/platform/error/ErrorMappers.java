package dev.parley.platform.error;

import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.parley.platform.http.RequestIds;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ValidationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure that reaches JAX-RS leaves in the one error shape. Messages are generic or written by us:
 * exception messages of libraries are never echoed, since they can quote input (a password in a malformed body).
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper(priority = 1)
    public Response api(ApiException e, HttpServerRequest request) {
        Response r = respond(e.status(), e.code(), e.getMessage(), e.details(), request);
        Object retry = e.details().get("retry_after_seconds");
        if (retry != null) {
            return Response.fromResponse(r).header("Retry-After", retry.toString()).build();
        }
        return r;
    }

    @ServerExceptionMapper(priority = 1)
    public Response unauthenticated(AuthenticationFailedException e, HttpServerRequest request) {
        return unauthorized(request);
    }

    @ServerExceptionMapper(priority = 1)
    public Response unauthenticated(UnauthorizedException e, HttpServerRequest request) {
        return unauthorized(request);
    }

    @ServerExceptionMapper(priority = 1)
    public Response unauthenticated(AuthenticationCompletionException e, HttpServerRequest request) {
        return unauthorized(request);
    }

    @ServerExceptionMapper(priority = 1)
    public Response forbidden(ForbiddenException e, HttpServerRequest request) {
        return respond(403, "FORBIDDEN", ErrorCodes.messageFor(403), Map.of(), request);
    }

    @ServerExceptionMapper(priority = 1)
    public Response web(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            LOG.errorf(e, "request failed with status %d", status);
        }
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            return json(json, request);
        }
        Response r = respond(status, ErrorCodes.codeFor(status), ErrorCodes.messageFor(status), Map.of(), request);
        if (status == 405 && e.getResponse().getHeaderString("Allow") != null) {
            return Response.fromResponse(r).header("Allow", e.getResponse().getHeaderString("Allow")).build();
        }
        return r;
    }

    @ServerExceptionMapper(priority = 1)
    public Response violations(ConstraintViolationException e, HttpServerRequest request) {
        return api(BodyErrors.of(e.getConstraintViolations()), request);
    }

    @ServerExceptionMapper(priority = 1)
    public Response validation(ValidationException e, HttpServerRequest request) {
        LOG.error("validation setup failure", e);
        return respond(500, "INTERNAL_ERROR", ErrorCodes.messageFor(500), Map.of(), request);
    }

    @ServerExceptionMapper(priority = 1)
    public Response mismatched(MismatchedInputException e, HttpServerRequest request) {
        return json(e, request);
    }

    @ServerExceptionMapper(priority = 1)
    public Response invalidFormat(InvalidFormatException e, HttpServerRequest request) {
        return json(e, request);
    }

    @ServerExceptionMapper(priority = 1)
    public Response parse(JsonParseException e, HttpServerRequest request) {
        return json(e, request);
    }

    /** A body Jackson could not read: one answer per kind of problem, see {@link BodyErrors}. */
    @ServerExceptionMapper(priority = 1)
    public Response json(JsonProcessingException e, HttpServerRequest request) {
        return api(e instanceof JsonMappingException m ? BodyErrors.of(m) : BodyErrors.malformed(), request);
    }

    @ServerExceptionMapper(priority = 10)
    public Response unexpected(Throwable e, HttpServerRequest request) {
        LOG.error("unexpected failure", e);
        return respond(500, "INTERNAL_ERROR", ErrorCodes.messageFor(500), Map.of(), request);
    }

    private static Response unauthorized(HttpServerRequest request) {
        return Response.fromResponse(respond(401, "UNAUTHENTICATED", ErrorCodes.messageFor(401), Map.of(), request))
                .header("WWW-Authenticate", "Bearer")
                .build();
    }

    static Response respond(int status, String code, String message, Map<String, Object> details,
                            HttpServerRequest request) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of(code, message, details, RequestIds.current(request)))
                .build();
    }
}
