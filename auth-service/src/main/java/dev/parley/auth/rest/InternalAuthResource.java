package dev.parley.auth.rest;

import java.util.UUID;

import dev.parley.auth.rest.AuthDtos.ResolveRequest;
import dev.parley.auth.rest.AuthDtos.ListedKey;
import dev.parley.auth.rest.AuthDtos.ListedKeys;
import dev.parley.auth.rest.AuthDtos.ResolvedKey;
import dev.parley.platform.auth.AccessKeyVerifier.VerifiedAccessKey;
import dev.parley.auth.rest.AuthDtos.VerifyRequest;
import dev.parley.auth.service.AccessKeyService;
import dev.parley.auth.service.ProviderKeyService;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
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
import jakarta.ws.rs.QueryParam;
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
    private final AccessKeyService accessKeys;
    private final ProviderKeyService providerKeys;
    private final CurrentCaller caller;

    public InternalAuthResource(ServiceClients clients, AccountService accounts, AccessKeyService accessKeys,
                                ProviderKeyService providerKeys, CurrentCaller caller) {
        this.clients = clients;
        this.accounts = accounts;
        this.accessKeys = accessKeys;
        this.providerKeys = providerKeys;
        this.caller = caller;
    }

    @POST
    @Path("/access-keys/verify")
    @RolesAllowed("service")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "The owner of a valid access key; 404 for unknown, revoked or expired keys and disabled owners")
    public VerifiedAccessKey verify(@Valid @NotNull VerifyRequest request) {
        return accessKeys.verify(request.key())
                .orElseThrow(() -> ApiException.notFound("ACCESS_KEY_NOT_FOUND", "Unknown, revoked or expired access key"));
    }

    @POST
    @Path("/provider-keys/resolve")
    @RolesAllowed("service")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A user's provider key in plaintext, for the gateway's service identity only")
    public ResolvedKey resolve(@Valid @NotNull ResolveRequest request) {
        ProviderKeyService.Resolved r = providerKeys.resolve(caller.get().serviceName(), request.userId(),
                request.providerKeyName());
        return new ResolvedKey(r.id(), r.provider(), r.name(), r.baseUrl(), r.apiKey());
    }

    @GET
    @Path("/provider-keys")
    @RolesAllowed("service")
    @Operation(summary = "A user's provider keys without their secrets (id, provider, name, base URL), for the gateway's service identity only")
    public ListedKeys listProviderKeys(@QueryParam("user_id") @NotNull UUID userId) {
        return new ListedKeys(providerKeys.listForResolver(caller.get().serviceName(), userId).stream()
                .map(k -> new ListedKey(k.id, k.provider, k.name, k.baseUrl)).toList());
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
