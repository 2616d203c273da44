package dev.parley.platform.auth;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;


/**
 * Turns a {@code pk-…} access key into the identity of its owner. The auth-service issue provides the
 * implementation (auth-service's verify endpoint, cached ≤ 60 s); until then no access key is accepted.
 */
public interface AccessKeyVerifier {

    /** The verified key, or empty when the key is unknown, revoked or expired. May block: called off the event loop. */
    Optional<VerifiedAccessKey> verify(String key);

    record VerifiedAccessKey(UUID userId, String username, Set<String> roles, UUID keyId, List<String> allowedModels) { }

}
