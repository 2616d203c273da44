package dev.parley.auth.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import dev.parley.platform.error.ApiException;

/** Small rules every auth-service service follows when it stores something. */
final class Stored {
    private Stored() { }

    /** Now, at the database's precision (microseconds), so a time read back equals the time written. */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** A time a caller gave, at the database's precision. */
    static Instant truncate(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    /** 400 VALIDATION_FAILED naming one field of the request and what is wrong with it. */
    static ApiException invalid(String field, String problem) {
        return new ApiException(400, "VALIDATION_FAILED", "Invalid request: " + field, Map.of("fields", Map.of(field, problem)));
    }
}
