package dev.parley.auth.rest;

import dev.parley.auth.rest.AuthDtos.LoginRequest;
import dev.parley.auth.rest.AuthDtos.RegisterRequest;
import dev.parley.auth.rest.AuthDtos.TokenResponse;
import dev.parley.auth.rest.AuthDtos.UserSummary;
import dev.parley.auth.service.AccountService;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/auth")
@PermitAll
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "auth")
public class AuthResource {
    private final AccountService accounts;

    public AuthResource(AccountService accounts) {
        this.accounts = accounts;
    }

    @POST
    @Path("/register")
    @Operation(summary = "Create an account and log it in")
    public Response register(@Valid @NotNull RegisterRequest request) {
        AccountService.Session s = accounts.register(request.username(), request.password(), request.email());
        return Response.status(201).entity(tokens(s)).build();
    }

    @POST
    @Path("/login")
    @Operation(summary = "Log in with username and password")
    public TokenResponse login(@Valid @NotNull LoginRequest request) {
        return tokens(accounts.login(request.username(), request.password()));
    }

    private static TokenResponse tokens(AccountService.Session s) {
        return new TokenResponse(UserSummary.of(s.user()), s.accessToken(), s.refreshToken(), "Bearer", s.expiresIn());
    }
}
