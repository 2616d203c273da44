package dev.parley.auth.rest;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;

/**
 * For a text field of a partial update where absent and null differ: absent → {@code null} (leave it as it is),
 * {@code null} → {@code Optional.empty()} (clear it), a text → {@code Optional.of(text)}. Jackson's own
 * {@code Optional} support gives {@code Optional.empty()} for both absent and null, so the record component says
 * {@code @JsonDeserialize(using = AbsentOrNull.class) Optional<String>}. The text is read as any text is (a number
 * is still a 400).
 */
public class AbsentOrNull extends JsonDeserializer<Optional<String>> {

    @Override
    public Optional<String> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        return Optional.of(ctxt.readValue(p, String.class));
    }

    @Override
    public Optional<String> getNullValue(DeserializationContext ctxt) {
        return Optional.empty();
    }

    @Override
    public Object getAbsentValue(DeserializationContext ctxt) {
        return null;
    }
}
