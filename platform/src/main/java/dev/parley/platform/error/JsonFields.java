package dev.parley.platform.error;

import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks on request bodies taken as JsonNode: a misspelt field is a 400 naming it, never silently ignored, with the
 * answer a {@code @JsonBody(rejectUnknown = true)} record gives ({@link BodyErrors#unknownField}).
 */
public final class JsonFields {
    private JsonFields() {
    }

    /**
     * 400 VALIDATION_FAILED with {@code details.fields = {"<where>.<field>":"unknown field"}} when {@code body} (an
     * object; anything else is left to the caller) has a field outside {@code known}.
     */
    public static void requireKnown(JsonNode body, Set<String> known, String where) {
        if (body == null || !body.isObject()) {
            return;
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw BodyErrors.unknownField(where.isEmpty() ? f : where + "." + f);
            }
        }
    }
}
