package dev.parley.usage.rest;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import dev.parley.platform.error.ApiException;

/** Query and body values checked the same way everywhere: a clear 400 naming the field. */
final class Params {
    private Params() { }

    static ApiException invalid(String field, String message) {
        return new ApiException(400, "VALIDATION_FAILED", message, Map.of("fields", Map.of(field, message)));
    }

    /** A path's id: not a UUID is a 404 with {@code code} and {@code message}, like an id that names nothing. */
    static UUID pathId(String value, String code, String message) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound(code, message);
        }
    }

    /** USD in answers: micro-dollars (6 places), banker's rounding. */
    static BigDecimal usd(BigDecimal v) {
        return v.setScale(6, RoundingMode.HALF_EVEN);
    }

    static UUID uuid(String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            throw invalid(field, field + " must be a UUID.");
        }
    }

    /** An instant, or a date (its UTC midnight; for an end, the next midnight so the day is included). */
    static Instant instant(String value, String field, boolean end) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        try {
            Instant i;
            if (v.length() == 10) {
                LocalDate d = LocalDate.parse(v);
                i = (end ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant();
            } else {
                i = Instant.parse(v);
            }
            if (i.isBefore(Instant.parse("1970-01-01T00:00:00Z")) || i.isAfter(Instant.parse("9999-01-01T00:00:00Z"))) {
                throw new IllegalArgumentException("out of range");
            }
            return i;
        } catch (RuntimeException e) {
            throw invalid(field, field + " is a date (2026-11-30) or an instant (2026-11-30T12:00:00Z).");
        }
    }
}
