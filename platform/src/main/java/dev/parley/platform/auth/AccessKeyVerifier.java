package dev.parley.platform.auth;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Turns a {@code pk-…} access key into the identity of its owner: {@link RemoteAccessKeys} in every service (auth-service's
 * verify endpoint, cached ≤ 60 s), a database lookup inside auth-service itself.
 */
public interface AccessKeyVerifier {

    /** The verified key, or empty when the key is unknown, revoked or expired. May block: called off the event loop. */
    Optional<VerifiedAccessKey> verify(String key);

    /**
     * The answer {@link #verify} would give from its cache, without blocking; empty when it would have to ask.
     * Lets the hot path authenticate on the event loop.
     */
    default Optional<Optional<VerifiedAccessKey>> cached(String key) {
        return Optional.empty();
    }

    /** Also the wire shape of {@code POST /internal/v1/access-keys/verify}. */
    record VerifiedAccessKey(UUID userId, String username, Set<String> roles, UUID keyId, List<String> allowedModels) { }
}
