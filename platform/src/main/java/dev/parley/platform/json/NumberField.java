package dev.parley.platform.json;

import java.io.IOException;
import java.math.BigInteger;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;

/**
 * A number as Jackson reads it, except that inside a {@link JsonBody} record (its components, their elements and
 * Optional values) a number must be a JSON number: a string ({@code "5"}, {@code ""}, {@code "NaN"}) or a boolean is
 * refused, and so is a fraction where a whole number goes ({@code 1.5} is not silently {@code 1}).
 */
final class NumberField extends DelegatingDeserializer {
    private final boolean strict;

    NumberField(JsonDeserializer<?> standard, boolean strict) {
        super(standard);
        this.strict = strict;
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegatee) {
        return new NumberField(delegatee, strict);
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) throws JsonMappingException {
        NumberField resolved = (NumberField) super.createContextual(ctxt, property);
        boolean inBody = StrictJson.inBody(property);
        return inBody == resolved.strict ? resolved : new NumberField(resolved._delegatee, inBody);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (strict && refused(p.currentToken())) {
            return ctxt.handleUnexpectedToken(handledType(), p);
        }
        return _delegatee.deserialize(p, ctxt);
    }

    private boolean refused(JsonToken token) {
        return token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE
                || token == JsonToken.VALUE_NUMBER_FLOAT && whole(handledType());
    }

    @Override
    public Class<?> handledType() {
        return _delegatee.handledType();
    }

    private static boolean whole(Class<?> type) {
        return type == Integer.class || type == Integer.TYPE || type == Long.class || type == Long.TYPE
                || type == Short.class || type == Short.TYPE || type == Byte.class || type == Byte.TYPE || type == BigInteger.class;
    }
}
