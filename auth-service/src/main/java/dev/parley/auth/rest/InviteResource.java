package dev.parley.auth.rest;

import java.time.Instant;
import java.util.UUID;

import dev.parley.auth.rest.AuthDtos.Page;
import dev.parley.auth.rest.InviteDtos.InviteCreated;
import dev.parley.auth.rest.InviteDtos.InviteRequest;
import dev.parley.auth.rest.InviteDtos.InviteView;
import dev.parley.auth.service.InviteService;
import dev.parley.platform.auth.CurrentCaller;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Invite codes for {@code parley.auth.registration=invite} (admins only; the code is shown once, at creation). */
@Path("/api/v1/invites")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "invites")
public class InviteResource {
    private final InviteService invites;
    private final CurrentCaller caller;

    public InviteResource(InviteService invites, CurrentCaller caller) {
        this.invites = invites;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an invite code (admin); the code is shown in this answer only")
    public Response create(@Valid InviteRequest request) {
        InviteRequest r = request == null ? new InviteRequest(null, null, null) : request;
        InviteService.Created c = invites.create(caller.get().requireUserId(), r.note(), r.maxUses(), r.expiresAt());
        return Response.status(201).entity(InviteCreated.of(c.invite(), c.code())).build();
    }

    @GET
    @Operation(summary = "Invites, newest first, keyset-paginated, never the codes (admin)")
    public Page<InviteView> list(@QueryParam("limit") @DefaultValue("50") int limit, @QueryParam("cursor") String cursor) {
        InviteService.Page page = invites.list(limit, cursor);
        Instant now = Instant.now();
        return new Page<>(page.invites().stream().map(i -> InviteView.of(i, now)).toList(), page.nextCursor());
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete an invite: its code stops working at once (admin)")
    public Response delete(@PathParam("id") UUID id) {
        invites.delete(id);
        return Response.noContent().build();
    }
}
