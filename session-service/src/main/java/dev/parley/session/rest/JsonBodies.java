package dev.parley.session.rest;

import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.deser.std.ReferenceTypeDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;
import com.fasterxml.jackson.databind.module.SimpleDeserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.ReferenceType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The application ObjectMapper's rules for {@link JsonBody} records (request bodies), and only for them:
 * <ul>
 * <li>an {@code Optional} component left out of the JSON is {@code null}, one sent as {@code null} is
 * {@code Optional.empty()} (Jackson's own Optional support gives {@code Optional.empty()} for both, so a PATCH
 * could not tell "leave it" from "clear it");</li>
 * <li>with {@code rejectUnknown}, a field the record does not declare fails the read like a wrong type does (the
 * service maps both to 400 {@code VALIDATION_FAILED} naming the field, see {@link BodyErrors}).</li>
 * </ul>
 * Every other type keeps Jackson's behaviour.
 */
@Singleton
public class JsonBodies implements ObjectMapperCustomizer {

    /** Last: the module must come after Jackson's Jdk8Module, so that its Optional deserializer is the one used. */
    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }

    @Override
    public void customize(ObjectMapper mapper) {
        SimpleModule module = new SimpleModule("parley-json-bodies");
        module.setDeserializers(new SimpleDeserializers() {
            @Override
            public JsonDeserializer<?> findReferenceDeserializer(ReferenceType type, DeserializationConfig config, BeanDescription bean,
                                                                 TypeDeserializer contentTypeDeserializer,
                                                                 JsonDeserializer<?> contentDeserializer) {
                return type.hasRawClass(Optional.class)
                        ? new OptionalField(type, null, contentTypeDeserializer, contentDeserializer, false) : null;
            }
        });
        mapper.registerModule(module);
        mapper.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                                 Object beanOrClass, String propertyName) throws java.io.IOException {
                Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
                JsonBody body = type.getAnnotation(JsonBody.class);
                if (body != null && body.rejectUnknown()) {
                    throw UnrecognizedPropertyException.from(p, beanOrClass, propertyName, deserializer.getKnownPropertyNames());
                }
                return false; // Jackson's own handling: ignored (the platform's default)
            }
        });
    }

    /** Optional as Jackson reads it, except that inside a {@link JsonBody} record a field left out is {@code null}. */
    static final class OptionalField extends ReferenceTypeDeserializer<Optional<?>> {
        private final boolean absentIsNull;

        OptionalField(JavaType type, ValueInstantiator instantiator, TypeDeserializer typeDeserializer,
                      JsonDeserializer<?> deserializer, boolean absentIsNull) {
            super(type, instantiator, typeDeserializer, deserializer);
            this.absentIsNull = absentIsNull;
        }

        @Override
        protected OptionalField withResolved(TypeDeserializer typeDeserializer, JsonDeserializer<?> deserializer) {
            return new OptionalField(_fullType, _valueInstantiator, typeDeserializer, deserializer, absentIsNull);
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) throws JsonMappingException {
            OptionalField resolved = (OptionalField) super.createContextual(ctxt, property);
            boolean inBody = property != null && property.getMember() != null
                    && property.getMember().getDeclaringClass().isAnnotationPresent(JsonBody.class);
            return inBody == resolved.absentIsNull ? resolved : new OptionalField(resolved._fullType, resolved._valueInstantiator,
                    resolved._valueTypeDeserializer, resolved._valueDeserializer, inBody);
        }

        @Override
        public Optional<?> getNullValue(DeserializationContext ctxt) throws JsonMappingException {
            return Optional.ofNullable(_valueDeserializer.getNullValue(ctxt));
        }

        @Override
        public Object getAbsentValue(DeserializationContext ctxt) throws JsonMappingException {
            return absentIsNull ? null : getNullValue(ctxt);
        }

        @Override
        public Optional<?> referenceValue(Object contents) {
            return Optional.ofNullable(contents);
        }

        @Override
        public Object getReferenced(Optional<?> reference) {
            return reference.orElse(null);
        }

        @Override
        public Optional<?> updateReference(Optional<?> reference, Object contents) {
            return Optional.ofNullable(contents);
        }
    }
}
