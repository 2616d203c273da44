package dev.parley.platform.auth;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * Verifies RS256 JWTs issued by auth-service against its JWKS (signature, issuer, expiry; smallrye-jwt refuses
 * {@code alg:none} and HMAC since only RS256 is configured). A token whose groups hold {@code service} is a service
 * token, and only then is {@code X-Parley-User} honoured.
 */
@ApplicationScoped
public class JwtIdentityProvider implements IdentityProvider<BearerRequest> {
    private static final Logger LOG = Logger.getLogger(JwtIdentityProvider.class);

    private final JWTParser parser;
    private final UserStatusChecker status;

    public JwtIdentityProvider(JWTParser parser, UserStatusChecker status) {
        this.parser = parser;
        this.status = status;
    }

    @Override
    public Class<BearerRequest> getRequestType() {
        return BearerRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(BearerRequest request, AuthenticationRequestContext context) {
        if (request.isAccessKey()) {
            return Uni.createFrom().nullItem();
        }
        // Verification may fetch the JWKS over HTTP the first time: never on the event loop.
        return context.runBlocking(() -> identityFor(request));
    }

    SecurityIdentity identityFor(BearerRequest request) {
        JsonWebToken jwt;
        try {
            jwt = parser.parse(request.token());
        } catch (ParseException e) {
            LOG.debugf("bearer token refused: %s", e.getClass().getSimpleName());
            throw new AuthenticationFailedException("Invalid token");
        }
        String subject = jwt.getSubject();
        Set<String> groups = jwt.getGroups() == null ? Set.of() : jwt.getGroups();
        if (subject == null || subject.isBlank()) {
            throw new AuthenticationFailedException("Token without subject");
        }
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(subject))
                .addAttribute(ParleyAttributes.TOKEN_ID, jwt.getTokenID());
        if (groups.contains(ParleyAttributes.SERVICE_ROLE)) {
            builder.addRole(ParleyAttributes.SERVICE_ROLE)
                    .addAttribute(ParleyAttributes.KIND, CallerKind.SERVICE)
                    .addAttribute(ParleyAttributes.SERVICE, subject);
            if (request.actingUser() != null) {
                UUID acting = parseUser(request.actingUser());
                if (!status.enabled(acting)) {
                    throw new AuthenticationFailedException("The user this call acts for is disabled");
                }
                builder.addAttribute(ParleyAttributes.USER_ID, acting);
            }
        } else {
            UUID userId;
            try {
                userId = UUID.fromString(subject);
            } catch (IllegalArgumentException e) {
                throw new AuthenticationFailedException("User token with a malformed subject");
            }
            if (!status.enabled(userId)) {
                throw new AuthenticationFailedException("User disabled");
            }
            Set<String> roles = new HashSet<>(groups);
            roles.remove(ParleyAttributes.SERVICE_ROLE);
            builder.addRoles(roles)
                    .addAttribute(ParleyAttributes.KIND, CallerKind.USER)
                    .addAttribute(ParleyAttributes.USER_ID, userId)
                    .addAttribute(ParleyAttributes.USERNAME, jwt.<String>getClaim("upn"))
                    .addAttribute(ParleyAttributes.SESSION_ID, jwt.<String>getClaim("sid"));
            // X-Parley-User beside a user token is ignored: only services may act for someone else.
        }
        return builder.build();
    }

    private static UUID parseUser(String header) {
        try {
            return UUID.fromString(header.trim());
        } catch (IllegalArgumentException e) {
            throw new AuthenticationFailedException("X-Parley-User must be a user id");
        }
    }
}
