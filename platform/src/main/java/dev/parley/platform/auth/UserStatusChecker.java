package dev.parley.platform.auth;

import java.util.UUID;

/**
 * Whether a user may still act. Every service asks auth-service ({@code GET /internal/v1/users/{id}/status}),
 * cached at most 60 s, so a disabled user is locked out within a minute; auth-service answers from its database.
 */
public interface UserStatusChecker {
    /** May block: called off the event loop. */
    boolean enabled(UUID userId);

    /** A fresh cached answer without blocking, or empty when {@link #enabled} would have to ask. */
    default java.util.Optional<Boolean> cached(UUID userId) {
        return java.util.Optional.empty();
    }
}
