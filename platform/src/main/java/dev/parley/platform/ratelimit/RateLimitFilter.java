package dev.parley.platform.ratelimit;

import dev.parley.platform.auth.Caller;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ResourceInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Applies {@link ApiRateLimiter} to every JAX-RS call of the public API (not {@code /q}, {@code /internal} or
 * {@code /.well-known}), once the caller is known: a signed-in user's own bucket ({@link Generation} methods use the
 * generation one), else the client address's. Vert.x routes (the gateway's {@code /v1}, streamed turns) call the
 * limiter themselves.
 */
public class RateLimitFilter {
    private final ApiRateLimiter limiter;
    private final CurrentIdentityAssociation identities;

    public RateLimitFilter(ApiRateLimiter limiter, CurrentIdentityAssociation identities) {
        this.limiter = limiter;
        this.identities = identities;
    }

    @ServerRequestFilter(priority = Priorities.USER)
    public Uni<Void> limit(HttpServerRequest request, ResourceInfo resource) {
        if (!limiter.enabled() || !limited(request.path())) {
            return Uni.createFrom().voidItem();
        }
        ApiRateLimiter.Kind kind = isGeneration(resource) ? ApiRateLimiter.Kind.GENERATIONS : ApiRateLimiter.Kind.REQUESTS;
        String address = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return identities.getDeferredIdentity()
                .onFailure().recoverWithItem((SecurityIdentity) null) // a refused credential counts as nobody's
                .invoke(identity -> limiter.check(identity == null ? null : Caller.of(identity).orElse(null), address, kind))
                .replaceWithVoid();
    }

    static boolean limited(String path) {
        return path != null && !path.startsWith("/q/") && !path.startsWith("/internal/") && !path.startsWith("/.well-known/")
                && !path.equals("/health");
    }

    private static boolean isGeneration(ResourceInfo resource) {
        if (resource == null || resource.getResourceMethod() == null) {
            return false;
        }
        return resource.getResourceMethod().isAnnotationPresent(Generation.class)
                || resource.getResourceClass().isAnnotationPresent(Generation.class);
    }
}
