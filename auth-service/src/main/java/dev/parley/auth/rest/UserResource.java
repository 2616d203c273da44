package dev.parley.auth.rest;

import java.util.UUID;

import dev.parley.auth.entity.User;
import dev.parley.auth.rest.AuthDtos.AdminUser;
import dev.parley.auth.rest.AuthDtos.Me;
import dev.parley.auth.rest.AuthDtos.NewUserRequest;
import dev.parley.auth.rest.AuthDtos.Page;
import dev.parley.auth.rest.AuthDtos.PasswordChange;
import dev.parley.auth.rest.AuthDtos.UserPatch;
import dev.parley.auth.rest.AccountDtos.DeleteAccountRequest;
import dev.parley.auth.rest.AccountDtos.DeletionStarted;
import dev.parley.auth.rest.AccountDtos.ExportStatus;
import dev.parley.auth.service.AccountDeletion;
import dev.parley.auth.service.AccountExports;
import dev.parley.auth.service.AccountService;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import io.quarkus.security.Authenticated;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "users")
public class UserResource {
    private final AccountService accounts;
    private final AccountDeletion deletion;
    private final AccountExports exports;
    private final CurrentCaller caller;

    public UserResource(AccountService accounts, AccountDeletion deletion, AccountExports exports, CurrentCaller caller) {
        this.accounts = accounts;
        this.deletion = deletion;
        this.exports = exports;
        this.caller = caller;
    }

    @GET
    @Path("/me")
    @Authenticated
    @Operation(summary = "The calling user's account")
    public Me me() {
        return accounts.find(caller.get().requireUserId())
                .filter(u -> u.enabled)
                .map(Me::of)
                .orElseThrow(() -> ApiException.unauthenticated("This account no longer exists"));
    }

    @DELETE
    @Path("/me")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Delete your account (confirm with your password): you are logged out everywhere at once and "
            + "every service deletes your data; 401 INVALID_CREDENTIALS for a wrong password")
    @APIResponse(responseCode = "202", description = "Deletion started",
            content = @Content(schema = @Schema(implementation = DeletionStarted.class)))
    public Response deleteMe(@Valid @NotNull DeleteAccountRequest body) {
        UUID id = deletion.deleteOwn(ExportResource.ownLogin(caller), body.password());
        return Response.accepted(DeletionStarted.of(id)).build();
    }

    @GET
    @Path("/me/export")
    @Authenticated
    @Produces({ExportResource.ZIP, MediaType.APPLICATION_JSON})
    @Operation(summary = "Your newest ready export as a zip archive (200), or 202 with the status of the one being "
            + "built (started if there is none)")
    @APIResponse(responseCode = "200", description = "The archive", content = @Content(mediaType = ExportResource.ZIP))
    @APIResponse(responseCode = "202", description = "Being built",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ExportStatus.class)))
    public Response newestExport() {
        UUID user = ExportResource.ownLogin(caller);
        AccountExports.Status s = exports.newest(user).orElseGet(() -> exports.start(user));
        if ("ready".equals(s.status())) {
            return ExportResource.archiveResponse(exports, user, s.id());
        }
        return Response.accepted(ExportStatus.of(s)).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @PUT
    @Path("/me/password")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change your password; every other login of yours is ended")
    public Response changePassword(@Valid @NotNull PasswordChange body) {
        Caller c = caller.get();
        if (c.isService()) {
            throw ApiException.forbidden("Only the user may change their password");
        }
        accounts.changePassword(c.requireUserId(), body.currentPassword(), body.newPassword(), c.sessionId());
        return Response.noContent().build();
    }

    @POST
    @RolesAllowed("admin")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an account (admin; also when registration is closed or by invitation)")
    public Response create(@Valid @NotNull NewUserRequest body) {
        User u = accounts.createUser(caller.get().requireUserId(), body.username(), body.password(), body.email(),
                body.roles());
        return Response.status(201).entity(AdminUser.of(u)).build();
    }

    @GET
    @RolesAllowed("admin")
    @Operation(summary = "All users, oldest first, keyset-paginated (admin)")
    public Page<AdminUser> list(@QueryParam("limit") @DefaultValue("50") int limit, @QueryParam("cursor") String cursor) {
        AccountService.Page page = accounts.list(limit, cursor);
        return new Page<>(page.users().stream().map(AdminUser::of).toList(), page.nextCursor());
    }

    @GET
    @Path("/{id}")
    @RolesAllowed("admin")
    @Operation(summary = "One user (admin)")
    public AdminUser get(@PathParam("id") UUID id) {
        return accounts.find(id).map(AdminUser::of)
                .orElseThrow(() -> ApiException.notFound("USER_NOT_FOUND", "No such user"));
    }

    @PATCH
    @Path("/{id}")
    @RolesAllowed("admin")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Enable or disable a user, change roles (admin; not your own roles)")
    public AdminUser update(@PathParam("id") UUID id, @NotNull UserPatch patch) {
        return AdminUser.of(accounts.update(caller.get().requireUserId(), id, patch.enabled(), patch.roles()));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed("admin")
    @Operation(summary = "Delete a user's account and, through every service, their data (admin; 409 LAST_ADMIN)")
    @APIResponse(responseCode = "202", description = "Deletion started",
            content = @Content(schema = @Schema(implementation = DeletionStarted.class)))
    public Response delete(@PathParam("id") UUID id) {
        return Response.accepted(DeletionStarted.of(deletion.deleteByAdmin(caller.get().requireUserId(), id))).build();
    }
}
