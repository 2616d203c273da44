package dev.parley.memory.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.sql.Timestamp;

/** A timestamp column of a native query as an Instant (drivers hand over one of three types). */
final class Times {
    private Times() { }

    static Instant instant(Object o) {
        if (o == null || o instanceof Instant) {
            return (Instant) o;
        }
        if (o instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (o instanceof Timestamp ts) {
            return ts.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + o.getClass());
    }
}
