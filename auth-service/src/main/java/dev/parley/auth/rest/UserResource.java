package dev.parley.auth.rest;

import dev.parley.auth.rest.AuthDtos.Me;
import dev.parley.auth.service.AccountService;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/users")
@Authenticated
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
    @Operation(summary = "The calling user's account")
    public Me me() {
        return accounts.find(caller.get().requireUserId())
                .filter(u -> u.enabled)
                .map(Me::of)
                .orElseThrow(() -> ApiException.unauthenticated("This account no longer exists"));
    }
}
