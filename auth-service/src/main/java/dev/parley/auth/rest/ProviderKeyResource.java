package dev.parley.auth.rest;

import java.util.Map;
import java.util.UUID;

import dev.parley.auth.rest.AuthDtos.Page;
import dev.parley.auth.rest.AuthDtos.ProviderKeyRequest;
import dev.parley.auth.rest.AuthDtos.ProviderKeyUpdate;
import dev.parley.auth.rest.AuthDtos.ProviderKeyView;
import dev.parley.auth.service.ProviderKeyService;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import io.quarkus.security.Authenticated;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/provider-keys")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "provider-keys")
public class ProviderKeyResource {
    private final ProviderKeyService keys;
    private final CurrentCaller caller;

    public ProviderKeyResource(ProviderKeyService keys, CurrentCaller caller) {
        this.keys = keys;
        this.caller = caller;
    }

    @POST
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Store a provider key (encrypted; only a hint is ever shown)")
    public Response create(@Valid @NotNull ProviderKeyRequest r) {
        return Response.status(201).entity(ProviderKeyView.of(
                keys.create(owner(), r.provider(), r.apiKey(), r.name(), r.label(), r.baseUrl()))).build();
    }

    @GET
    @Authenticated
    @Operation(summary = "Your provider keys")
    public Page<ProviderKeyView> list() {
        return new Page<>(keys.list(owner()).stream().map(ProviderKeyView::of).toList(), null);
    }

    @GET
    @Path("/{id}")
    @Authenticated
    @Operation(summary = "One of your provider keys")
    public ProviderKeyView get(@PathParam("id") UUID id) {
        return ProviderKeyView.of(keys.get(owner(), id));
    }

    @PUT
    @Path("/{id}")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change label, base_url (null clears it) or api_key")
    public ProviderKeyView update(@PathParam("id") UUID id, @Valid @NotNull ProviderKeyUpdate r) {
        if (r.provider() != null || r.name() != null) {
            throw new ApiException(400, "VALIDATION_FAILED", "provider and name cannot be changed: create a new key",
                    Map.of("fields", Map.of("provider", "immutable", "name", "immutable")));
        }
        boolean baseUrlSent = r.baseUrl() != null;
        return ProviderKeyView.of(keys.update(owner(), id, r.label(), baseUrlSent ? r.baseUrl().orElse(null) : null,
                baseUrlSent, r.apiKey()));
    }

    @DELETE
    @Path("/{id}")
    @Authenticated
    @Operation(summary = "Delete one of your provider keys")
    public Response delete(@PathParam("id") UUID id) {
        keys.delete(owner(), id);
        return Response.noContent().build();
    }

    @POST
    @Path("/re-encrypt")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    @Operation(summary = "Re-encrypt every stored key under the newest key-encryption key, in batches (admin)")
    public ProviderKeyService.ReencryptResult reencrypt() {
        return keys.reencrypt();
    }

    private UUID owner() {
        Caller c = caller.get();
        if (c.isService()) {
            throw ApiException.forbidden("Provider keys are managed by their owner");
        }
        return c.requireUserId();
    }
}
