package dev.parley.platform.auth;

import java.util.HashSet;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The third kind of caller: {@code Authorization: Bearer pk-…}, resolved by an {@link AccessKeyVerifier}. */
@ApplicationScoped
public class AccessKeyIdentityProvider implements IdentityProvider<BearerRequest> {
    private final AccessKeyVerifier verifier;
    private final UserStatusChecker status;

    public AccessKeyIdentityProvider(AccessKeyVerifier verifier, UserStatusChecker status) {
        this.verifier = verifier;
        this.status = status;
    }

    @Override
    public Class<BearerRequest> getRequestType() {
        return BearerRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(BearerRequest request, AuthenticationRequestContext context) {
        if (!request.isAccessKey()) {
            return Uni.createFrom().nullItem();
        }
        // Hot path: both answers cached → no hop to a worker thread.
        java.util.Optional<java.util.Optional<AccessKeyVerifier.VerifiedAccessKey>> cached = verifier.cached(request.token());
        if (cached.isPresent()) {
            if (cached.get().isEmpty()) {
                return Uni.createFrom().failure(new AuthenticationFailedException("Unknown, revoked or expired access key"));
            }
            java.util.Optional<Boolean> enabled = status.cached(cached.get().get().userId());
            if (enabled.isPresent()) {
                if (!enabled.get()) {
                    return Uni.createFrom().failure(new AuthenticationFailedException("The key's owner is disabled"));
                }
                return Uni.createFrom().item(identity(cached.get().get()));
            }
        }
        return context.runBlocking(() -> {
            AccessKeyVerifier.VerifiedAccessKey key = verifier.verify(request.token())
                    .orElseThrow(() -> new AuthenticationFailedException("Unknown, revoked or expired access key"));
            // The verify answer is cached up to 60 s; the owner's status is checked on its own, shorter cache.
            if (!status.enabled(key.userId())) {
                throw new AuthenticationFailedException("The key's owner is disabled");
            }
            return identity(key);
        });
    }

    private static SecurityIdentity identity(AccessKeyVerifier.VerifiedAccessKey key) {
            return QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(key.userId().toString()))
                    .addRoles(new HashSet<>(key.roles()))
                    .addAttribute(ParleyAttributes.KIND, CallerKind.ACCESS_KEY)
                    .addAttribute(ParleyAttributes.USER_ID, key.userId())
                    .addAttribute(ParleyAttributes.USERNAME, key.username())
                    .addAttribute(ParleyAttributes.ACCESS_KEY_ID, key.keyId())
                    .addAttribute(ParleyAttributes.ALLOWED_MODELS, key.allowedModels())
                    .build();
    }
}
