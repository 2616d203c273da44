package dev.parley.auth.rest;

import java.util.UUID;

import dev.parley.auth.entity.User;
import dev.parley.auth.rest.AuthDtos.AdminUser;
import dev.parley.auth.rest.AuthDtos.Me;
import dev.parley.auth.rest.AuthDtos.NewUserRequest;
import dev.parley.auth.rest.AuthDtos.Page;
import dev.parley.auth.rest.AuthDtos.PasswordChange;
import dev.parley.auth.rest.AuthDtos.UserPatch;
import dev.parley.auth.service.AccountService;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import io.quarkus.security.Authenticated;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "users")
public class UserResource {
    private final AccountService accounts;
    private final CurrentCaller caller;

    public UserResource(AccountService accounts, CurrentCaller caller) {
        this.accounts = accounts;
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
}
