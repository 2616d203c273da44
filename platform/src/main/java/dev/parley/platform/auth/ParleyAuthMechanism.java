package dev.parley.platform.auth;

import java.util.Set;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one authentication mechanism of every Parley service: {@code Authorization: Bearer <jwt | pk-…>}.
 * It replaces smallrye-jwt's mechanism so that user tokens, service tokens and access keys go through one path.
 */
@ApplicationScoped
public class ParleyAuthMechanism implements HttpAuthenticationMechanism {
    private static final String BEARER = "bearer ";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = context.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
            return Uni.createFrom().nullItem();
        }
        if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().failure(new AuthenticationFailedException("Only Bearer credentials are accepted"));
        }
        String token = header.substring(BEARER.length()).trim();
        if (token.isEmpty() || token.length() > 8192) {
            return Uni.createFrom().failure(new AuthenticationFailedException("Malformed bearer credential"));
        }
        BearerRequest request = new BearerRequest(token, context.request().getHeader(ParleyAttributes.ACTING_USER_HEADER));
        HttpSecurityUtils.setRoutingContextAttribute(request, context);
        return identityProviderManager.authenticate(request);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(BearerRequest.class);
    }

    /** Runs before smallrye-jwt's own mechanism, which then never sees a bearer credential. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 1000;
    }
}
