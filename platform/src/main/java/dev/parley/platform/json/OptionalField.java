package dev.parley.platform.json;

import java.util.Optional;

import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.deser.std.ReferenceTypeDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;

/** Optional as Jackson reads it, except that inside a {@link JsonBody} record a field left out is {@code null}. */
final class OptionalField extends ReferenceTypeDeserializer<Optional<?>> {
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
        boolean inBody = StrictJson.inBody(property);
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
