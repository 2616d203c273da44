package dev.parley.platform.auth;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Present in every service: tells a calling service how it was authenticated and for which user it acts.
 * Used by contract tests and by operators checking service credentials.
 */
@Path("/internal/v1/whoami")
@RolesAllowed(ParleyAttributes.SERVICE_ROLE)
public class WhoAmIResource {
    private final CurrentCaller caller;

    public WhoAmIResource(CurrentCaller caller) {
        this.caller = caller;
    }

    public record WhoAmI(String kind, String service, UUID actingUserId) { }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The calling service and the user it acts for (service tokens only)")
    public WhoAmI whoami() {
        Caller c = caller.get();
        return new WhoAmI(c.kind().name().toLowerCase(), c.serviceName(), c.userId());
    }
}
