package dev.parley.platform.error;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;

/**
 * The one answer, in every service, to a problem with a field of a request body: 400 {@code VALIDATION_FAILED}, a
 * message naming the field, and {@code details.fields} = {@code {"<path>":"<what is wrong>"}}, the path as the client
 * wrote it ({@code daily.hard_usd}, {@code keywords[2]}):
 * <ul>
 * <li>a field the body may not have: {@code "unknown field"};</li>
 * <li>a value of the wrong JSON type or format (a number for a text, {@code "5"} for a number, a malformed UUID or
 * time, a text where an object belongs): {@code "wrong type or format"};</li>
 * <li>a Bean Validation violation, or a service's own check: its message.</li>
 * </ul>
 * A body that is not the expected shape at the top (not an object, a text where an object belongs) is 400
 * {@code INVALID_JSON}; a body that is not JSON at all is 400 {@code MALFORMED_JSON}.
 */
public final class BodyErrors {
    public static final String UNKNOWN_FIELD = "unknown field";
    public static final String WRONG_TYPE = "wrong type or format";
    private static final String VALIDATION_FAILED = "VALIDATION_FAILED";

    private BodyErrors() {
    }

    /** The body has a field it may not have. */
    public static ApiException unknownField(String path) {
        return field(path, UNKNOWN_FIELD, "Unknown field '" + path + "'.");
    }

    /** The field's value has the wrong JSON type or format. */
    public static ApiException wrongType(String path) {
        return field(path, WRONG_TYPE, "Field '" + path + "' has the wrong type or format.");
    }

    /** A service's own check of one field: {@code message} names the field and says what is wrong. */
    public static ApiException field(String path, String message) {
        return field(path, message, message);
    }

    /** One field, what is wrong with it ({@code details.fields}), and the message (which names the field). */
    public static ApiException field(String path, String problem, String message) {
        return new ApiException(400, VALIDATION_FAILED, message, Map.of("fields", Map.of(path, problem)));
    }

    /** Several fields at once, each with what is wrong with it. */
    public static ApiException fields(Map<String, String> problems) {
        return new ApiException(400, VALIDATION_FAILED, "Invalid request: " + String.join(", ", problems.keySet()),
                Map.of("fields", new LinkedHashMap<>(problems)));
    }

    /** The body is JSON but not the shape expected at the top (an array or a text where an object belongs). */
    public static ApiException notTheExpectedShape() {
        return new ApiException(400, "INVALID_JSON", "The request body does not have the expected shape");
    }

    /** The body is not JSON. */
    public static ApiException malformed() {
        return new ApiException(400, "MALFORMED_JSON", "The request body is not valid JSON");
    }

    /**
     * The answer to a body Jackson could not read into its type. A syntax error (even one inside a field) is
     * {@code MALFORMED_JSON}; a type Jackson cannot build at all is a programming error, answered like malformed input
     * without details.
     */
    public static ApiException of(JsonMappingException e) {
        if (parseError(e) || e instanceof InvalidDefinitionException) {
            return malformed();
        }
        String path = path(e);
        if (path.isEmpty()) {
            return notTheExpectedShape();
        }
        return e instanceof UnrecognizedPropertyException ? unknownField(path) : wrongType(path);
    }

    /** The answer to Bean Validation violations, each field named as sent; fields with several problems join them. */
    public static ApiException of(Collection<? extends ConstraintViolation<?>> violations) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (ConstraintViolation<?> v : violations) {
            fields.merge(path(v.getPropertyPath()), v.getMessage(), (a, b) -> a + "; " + b);
        }
        return new ApiException(400, VALIDATION_FAILED, "Invalid request: " + String.join(", ", fields.keySet()),
                Map.of("fields", fields));
    }

    /** A Jackson path as the client wrote it: {@code daily.colour}, {@code messages[0].role}. */
    public static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /**
     * A violation's path without the method and parameter of a validated JAX-RS call, nor container nodes
     * ({@code <list element>}): {@code daily.hard_usd}, {@code keywords[2]}. A constraint on the parameter itself (a
     * missing body, a query parameter) is named by the parameter; one on the whole body is {@code body}.
     */
    static String path(Path path) {
        StringBuilder out = new StringBuilder();
        String parameter = null;
        for (Path.Node node : path) {
            ElementKind kind = node.getKind();
            if (kind == ElementKind.PARAMETER) {
                parameter = node.getName();
            }
            if (kind != ElementKind.PROPERTY && kind != ElementKind.CONTAINER_ELEMENT) {
                continue;
            }
            if (node.isInIterable() && !out.isEmpty()) {
                Object at = node.getIndex() != null ? node.getIndex() : node.getKey();
                out.append('[').append(at == null ? "" : at).append(']');
            }
            if (kind == ElementKind.PROPERTY && node.getName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(node.getName());
            }
        }
        if (!out.isEmpty()) {
            return out.toString();
        }
        return parameter != null ? parameter : "body";
    }

    private static boolean parseError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JsonParseException) {
                return true;
            }
        }
        return false;
    }
}
