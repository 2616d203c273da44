package dev.parley.platform.auth;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.parley.platform.error.ApiException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is calling, as every service sees it. For a service acting for a user ({@code X-Parley-User} beside a service
 * token) {@link #userId()} is that user; for a user token or an access key it is the token's owner.
 */
public record Caller(CallerKind kind, UUID userId, String username, String serviceName, Set<String> roles,
                     UUID accessKeyId, List<String> allowedModels, String sessionId) {

    public static Optional<Caller> of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return Optional.empty();
        }
        CallerKind kind = identity.getAttribute(ParleyAttributes.KIND);
        if (kind == null) {
            return Optional.empty();
        }
        List<String> allowed = identity.getAttribute(ParleyAttributes.ALLOWED_MODELS);
        return Optional.of(new Caller(kind, identity.getAttribute(ParleyAttributes.USER_ID),
                identity.getAttribute(ParleyAttributes.USERNAME), identity.getAttribute(ParleyAttributes.SERVICE),
                Set.copyOf(identity.getRoles()), identity.getAttribute(ParleyAttributes.ACCESS_KEY_ID),
                allowed == null ? List.of() : allowed, identity.getAttribute(ParleyAttributes.SESSION_ID)));
    }

    public boolean isService() { return kind == CallerKind.SERVICE; }

    /** Whether this caller may use the model (access keys carry {@code allowed_models}; others may use any). */
    public boolean mayUseModel(String model) {
        return AllowedModels.permits(allowedModels, model);
    }

    public boolean isAdmin() { return kind != CallerKind.SERVICE && roles.contains("admin"); }

    /** The user this call is for; 401 when there is none (a service call without {@code X-Parley-User}). */
    public UUID requireUserId() {
        if (userId == null) {
            throw new ApiException(401, "UNAUTHENTICATED", "This call must be made for a user");
        }
        return userId;
    }
}
