package dev.parley.platform.json;

import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.error.BodyErrors;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

/**
 * Reads and checks a request body where JAX-RS does not (Vert.x routes such as streamed turns, multipart forms): the
 * same {@link JsonBody} records, the same {@link StrictJson} rules and Bean Validation, the same 400s as a JAX-RS
 * body ({@link BodyErrors}).
 */
@ApplicationScoped
public class RequestBodies {
    private final ObjectMapper mapper;
    private final Validator validator;

    public RequestBodies(ObjectMapper mapper, Validator validator) {
        this.mapper = mapper;
        this.validator = validator;
    }

    /** The body as {@code type}, checked; null when there is no body. */
    public <T> T read(JsonNode json, Class<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return valid(mapper.treeToValue(json, type));
        } catch (JsonMappingException e) {
            throw BodyErrors.of(e);
        } catch (JsonProcessingException e) {
            throw BodyErrors.malformed();
        }
    }

    /** The body if Bean Validation accepts it; 400 VALIDATION_FAILED naming the fields otherwise. */
    public <T> T valid(T body) {
        Set<ConstraintViolation<T>> violations = validator.validate(body);
        if (!violations.isEmpty()) {
            throw BodyErrors.of(violations);
        }
        return body;
    }

    /** The application's ObjectMapper, for a part of a form that is JSON text. */
    public ObjectMapper mapper() {
        return mapper;
    }
}
