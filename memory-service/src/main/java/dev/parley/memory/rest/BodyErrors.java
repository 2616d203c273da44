package dev.parley.memory.rest;

import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.error.ErrorBody;
import dev.parley.platform.http.RequestIds;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A request body that does not fit its record (a wrong type, a malformed UUID or time, a field a strict record does
 * not declare, not an object at all) is 400 {@code VALIDATION_FAILED} naming the field in {@code details.fields}, as
 * this service's hand-written checks answered before its bodies were records. Takes precedence over the platform's
 * mapping of the same exceptions ({@code INVALID_JSON}); malformed JSON stays the platform's {@code MALFORMED_JSON}.
 */
public class BodyErrors {

    @ServerExceptionMapper(priority = 0)
    public Response mismatched(MismatchedInputException e, HttpServerRequest request) {
        return respond(of(e), request);
    }

    @ServerExceptionMapper(priority = 0)
    public Response invalidFormat(InvalidFormatException e, HttpServerRequest request) {
        return respond(of(e), request);
    }

    private static Response respond(ApiException e, HttpServerRequest request) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of(e.code(), e.getMessage(), e.details(), RequestIds.current(request))).build();
    }

    /** The 400 for a body Jackson could not read into its record. */
    public static ApiException of(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
        if (path.isEmpty()) {
            return invalid("body", "The body must be a JSON object.");
        }
        if (e instanceof UnrecognizedPropertyException) {
            return invalid(path, "Unknown field '" + path + "'.");
        }
        return invalid(path, "Field '" + path + "' has the wrong type or format.");
    }

    static ApiException invalid(String field, String message) {
        return new ApiException(400, "VALIDATION_FAILED", message, Map.of("fields", Map.of(field, message)));
    }
}
