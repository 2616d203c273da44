package dev.parley.auth.rest;

import java.util.UUID;

import dev.parley.auth.rest.AuthDtos.ServiceTokenRequest;
import dev.parley.auth.rest.AuthDtos.ServiceTokenResponse;
import dev.parley.auth.rest.AuthDtos.UserStatus;
import dev.parley.auth.service.AccountService;
import dev.parley.auth.service.ServiceClients;
import dev.parley.auth.service.TokenIssuer;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Service-to-service endpoints; never routed by the ingress. */
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "internal")
public class InternalAuthResource {
    private final ServiceClients clients;
    private final AccountService accounts;

    public InternalAuthResource(ServiceClients clients, AccountService accounts) {
        this.clients = clients;
        this.accounts = accounts;
    }

    @POST
    @Path("/service-tokens")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Exchange a service's client id and secret for a 5-minute service token")
    public ServiceTokenResponse serviceToken(@Valid @NotNull ServiceTokenRequest request) {
        TokenIssuer.Signed t = clients.exchange(request.clientId(), request.clientSecret());
        return new ServiceTokenResponse(t.token(), "Bearer", t.expiresIn());
    }

    @GET
    @Path("/users/{id}/status")
    @RolesAllowed("service")
    @Operation(summary = "Whether a user may still act (unknown users are not enabled)")
    public UserStatus status(@PathParam("id") UUID id) {
        return new UserStatus(accounts.find(id).map(u -> u.enabled).orElse(false));
    }
}
