package dev.parley.gateway.rest;

import java.lang.reflect.Type;
import java.util.function.BiFunction;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * Reads a request body record strictly ({@code @CustomDeserialization(StrictBodyReader.class)}): a field the record
 * does not have, a number sent as text, a fraction or a boolean where a whole number goes are 400s instead of being
 * ignored or coerced (Jackson's defaults). The application's mapper, copied once with these rules.
 */
public class StrictBodyReader implements BiFunction<ObjectMapper, Type, ObjectReader> {
    private static volatile ObjectMapper strict;

    @Override
    public ObjectReader apply(ObjectMapper mapper, Type type) {
        ObjectMapper m = strict;
        if (m == null) {
            m = mapper.copy()
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
            m.coercionConfigFor(LogicalType.Integer)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
            strict = m;
        }
        return m.readerFor(m.constructType(type));
    }
}
