package dev.parley.auth.rest;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.parley.platform.error.ErrorBody;
import dev.parley.platform.http.RequestIds;
import io.quarkus.jackson.ObjectMapperCustomizer;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Strict JSON for typed request bodies, beside the platform's {@code StrictJson} (text must be text):
 * <ul>
 * <li>a record annotated {@code @JsonIgnoreProperties(ignoreUnknown = false)} refuses a field it does not declare,
 * at any depth, with the answer {@code JsonFields.requireKnown} gives a JsonNode body: 400 VALIDATION_FAILED
 * naming the field ({@code {"daily.colour":"unknown field"}}). Quarkus documents that annotation as the local
 * override of {@code quarkus.jackson.fail-on-unknown-properties=false}, but Jackson only honours
 * {@code ignoreUnknown = true}; this makes {@code false} mean what it says. Other classes (and the REST clients'
 * answers from other services) keep ignoring unknown fields;</li>
 * <li>a JSON string where a number is expected is refused, not parsed ({@code {"hard_usd":"5"}} is a 400).</li>
 * </ul>
 * Kept identical in auth-service and usage-service: it belongs with {@code StrictJson} in the platform.
 */
@Singleton
public class StrictRequestBodies implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                                 Object beanOrClass, String propertyName) throws IOException {
                Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
                JsonIgnoreProperties ignore = type.getAnnotation(JsonIgnoreProperties.class);
                if (ignore == null || ignore.ignoreUnknown()) {
                    return false; // Jackson's default as Quarkus configures it: skipped
                }
                throw UnrecognizedPropertyException.from(p, beanOrClass, propertyName, deserializer.getKnownPropertyNames());
            }
        });
        for (LogicalType number : new LogicalType[] {LogicalType.Integer, LogicalType.Float}) {
            mapper.coercionConfigFor(number).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
    }

    /** The unknown field, by its path in the body, as {@code JsonFields.requireKnown} names it. */
    @ServerExceptionMapper(priority = 1)
    public Response unknownField(UnrecognizedPropertyException e, HttpServerRequest request) {
        String field = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
        return Response.status(400).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of("VALIDATION_FAILED", "Unknown field '" + field + "'.", Map.of(field, "unknown field"),
                        RequestIds.current(request)))
                .build();
    }
}
