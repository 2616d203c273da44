package dev.parley.platform.json;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;
import com.fasterxml.jackson.databind.module.SimpleDeserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.type.ReferenceType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The application ObjectMapper's strict JSON, in every service:
 * <ul>
 * <li>everywhere: a JSON number or boolean where a text is expected is a failure, not silently turned into "42" or
 * "true" (Jackson's default), and so is anything after the JSON value ({@code {"content":"hi"} trailing});</li>
 * <li>in {@link JsonBody} records (request bodies) only: an {@code Optional} component left out is {@code null}, sent as
 * {@code null} {@code Optional.empty()} (Jackson's own Optional support gives {@code Optional.empty()} for both, so a
 * PATCH could not tell "leave it" from "clear it"); a JSON string where a number is expected is a failure, not parsed
 * ({@code {"hard_usd":"5"}}); with {@code rejectUnknown}, a field the record does not declare is a failure.</li>
 * </ul>
 * The string-to-number rule stays inside request bodies because the same mapper (copied by LangChain4j) also reads
 * what models answer, such as an extraction's {@code "importance":"0.8"}, where Jackson's leniency is wanted. Every
 * failure is answered by {@link dev.parley.platform.error.ErrorMappers}: 400 {@code VALIDATION_FAILED} naming the field.
 * Other types keep Jackson's behaviour (an unknown field of a REST client's answer is ignored).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {
    private static final Class<?>[] NUMBERS = {Integer.class, Integer.TYPE, Long.class, Long.TYPE, Short.class, Short.TYPE,
            Byte.class, Byte.TYPE, Double.class, Double.TYPE, Float.class, Float.TYPE, BigDecimal.class, BigInteger.class,
            Number.class};

    /** Last: the module must come after Jackson's Jdk8Module, so that its Optional deserializer is the one used. */
    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);

        SimpleModule module = new SimpleModule("parley-json-bodies");
        SimpleDeserializers deserializers = new SimpleDeserializers() {
            @Override
            public JsonDeserializer<?> findReferenceDeserializer(ReferenceType type, DeserializationConfig config, BeanDescription bean,
                                                                 TypeDeserializer contentTypeDeserializer,
                                                                 JsonDeserializer<?> contentDeserializer) {
                return type.hasRawClass(Optional.class)
                        ? new OptionalField(type, null, contentTypeDeserializer, contentDeserializer, false) : null;
            }
        };
        for (Class<?> number : NUMBERS) {
            addNumber(deserializers, number);
        }
        module.setDeserializers(deserializers);
        mapper.registerModule(module);

        mapper.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                                 Object beanOrClass, String propertyName) throws IOException {
                Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
                JsonBody body = type.getAnnotation(JsonBody.class);
                if (body != null && body.rejectUnknown()) {
                    throw UnrecognizedPropertyException.from(p, beanOrClass, propertyName, deserializer.getKnownPropertyNames());
                }
                return false; // Jackson's own handling: ignored (quarkus.jackson.fail-on-unknown-properties=false)
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> void addNumber(SimpleDeserializers deserializers, Class<T> type) {
        JsonDeserializer<T> standard = (JsonDeserializer<T>) NumberDeserializers.find(type, type.getName());
        deserializers.addDeserializer(type, (JsonDeserializer<T>) new NumberField(standard, false));
    }

    /** Whether a component belongs to a {@link JsonBody} record. */
    static boolean inBody(BeanProperty property) {
        return property != null && property.getMember() != null
                && property.getMember().getDeclaringClass().isAnnotationPresent(JsonBody.class);
    }
}
