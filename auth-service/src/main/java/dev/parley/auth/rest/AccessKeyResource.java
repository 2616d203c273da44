package dev.parley.auth.rest;

import java.time.Instant;
import java.util.UUID;

import dev.parley.auth.rest.AuthDtos.AccessKeyCreated;
import dev.parley.auth.rest.AuthDtos.AccessKeyRequest;
import dev.parley.auth.rest.AuthDtos.AccessKeyView;
import dev.parley.auth.rest.AuthDtos.Page;
import dev.parley.auth.service.AccessKeyService;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CallerKind;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import io.quarkus.security.Authenticated;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/access-keys")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "access-keys")
public class AccessKeyResource {
    private final AccessKeyService keys;
    private final CurrentCaller caller;

    public AccessKeyResource(AccessKeyService keys, CurrentCaller caller) {
        this.keys = keys;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an access key; the key is shown in this answer only")
    public Response create(@Valid @NotNull AccessKeyRequest request) {
        AccessKeyService.Created c = keys.create(person(), request.name(), request.expiresAt(), request.allowedModels());
        return Response.status(201).entity(AccessKeyCreated.of(c.key(), c.plaintext())).build();
    }

    @GET
    @Operation(summary = "Your active access keys (never the keys themselves)")
    public Page<AccessKeyView> list() {
        Instant now = Instant.now();
        return new Page<>(keys.list(person()).stream().map(k -> AccessKeyView.of(k, now)).toList(), null);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke an access key (it stops working everywhere within a minute)")
    public Response revoke(@PathParam("id") UUID id) {
        keys.revoke(person(), id);
        return Response.noContent().build();
    }

    /** Access keys are managed by their owner with a login, not by another access key or a service. */
    private UUID person() {
        Caller c = caller.get();
        if (c.kind() != CallerKind.USER) {
            throw ApiException.forbidden("Access keys are managed with a user login");
        }
        return c.requireUserId();
    }
}
