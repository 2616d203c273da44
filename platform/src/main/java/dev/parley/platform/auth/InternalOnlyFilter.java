package dev.parley.platform.auth;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;

/**
 * {@code /internal/**} accepts service tokens only, whatever a resource's own annotations say (defence in depth).
 * The one exception is an internal method marked {@code @PermitAll}: the client-credential exchange that issues
 * service tokens.
 */
public class InternalOnlyFilter {
    private final CurrentIdentityAssociation identity;

    public InternalOnlyFilter(CurrentIdentityAssociation identity) {
        this.identity = identity;
    }

    @ServerRequestFilter(priority = Priorities.AUTHORIZATION)
    public Uni<Void> internalOnly(ContainerRequestContext ctx, ResourceInfo resource) {
        String path = ctx.getUriInfo().getRequestUri().getRawPath();
        if (path == null || !path.startsWith("/internal/")) {
            return null;
        }
        if (resource != null && resource.getResourceMethod() != null
                && resource.getResourceMethod().isAnnotationPresent(PermitAll.class)) {
            return null;
        }
        return identity.getDeferredIdentity().invoke(id -> {
            if (id.isAnonymous()) {
                throw new UnauthorizedException();
            }
            if (!id.hasRole(ParleyAttributes.SERVICE_ROLE)) {
                throw new ForbiddenException();
            }
        }).replaceWithVoid();
    }
}
