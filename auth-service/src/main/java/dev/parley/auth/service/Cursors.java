package dev.parley.auth.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import dev.parley.platform.error.ApiException;

/** Keyset-page cursors: an opaque base64url form of the last row's (created_at, id). */
final class Cursors {
    private Cursors() { }

    record Position(Instant createdAt, UUID id) { }

    static String encode(Instant createdAt, UUID id) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((createdAt + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** The position, or null for no cursor; 400 {@code INVALID_CURSOR} for one that was not made here. */
    static Position decode(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
            return new Position(Instant.parse(parts[0]), UUID.fromString(parts[1]));
        } catch (RuntimeException e) {
            throw new ApiException(400, "INVALID_CURSOR", "The cursor is not valid");
        }
    }
}
