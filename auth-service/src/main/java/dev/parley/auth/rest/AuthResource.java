package dev.parley.auth.rest;

import java.util.Map;

import dev.parley.auth.rest.AuthDtos.LoginRequest;
import dev.parley.auth.rest.AuthDtos.RefreshRequest;
import dev.parley.auth.rest.AuthDtos.RegisterRequest;
import dev.parley.auth.rest.AuthDtos.RegistrationInfo;
import dev.parley.auth.rest.AuthDtos.TokenResponse;
import dev.parley.auth.rest.AuthDtos.UserSummary;
import dev.parley.auth.service.AccountService;
import dev.parley.auth.service.Registration;
import dev.parley.auth.service.SigningKeys;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/auth")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "auth")
public class AuthResource {
    private final AccountService accounts;
    private final SigningKeys signingKeys;
    private final Registration registration;

    public AuthResource(AccountService accounts, SigningKeys signingKeys, Registration registration) {
        this.accounts = accounts;
        this.signingKeys = signingKeys;
        this.registration = registration;
    }

    @POST
    @Path("/register")
    @PermitAll
    @Operation(summary = "Create an account and log it in")
    public Response register(@Valid @NotNull RegisterRequest request) {
        AccountService.Session s = accounts.register(request.username(), request.password(), request.email(),
                request.inviteCode());
        return Response.status(201).entity(tokens(s)).build();
    }

    @GET
    @Path("/registration")
    @PermitAll
    @Operation(summary = "How registration works here: open, invite (an invite_code is needed) or closed")
    public RegistrationInfo registration() {
        return new RegistrationInfo(registration.mode().wire());
    }

    @POST
    @Path("/login")
    @PermitAll
    @Operation(summary = "Log in with username or email and password (throttled: 429 with Retry-After)")
    public TokenResponse login(@Valid @NotNull LoginRequest request, @Context HttpServerRequest http) {
        return tokens(accounts.login(request.username(), request.password(), clientAddress(http)));
    }

    @POST
    @Path("/refresh")
    @PermitAll
    @Operation(summary = "Exchange a refresh token for a new pair; a reused token revokes its whole family")
    public TokenResponse refresh(@Valid @NotNull RefreshRequest request) {
        return tokens(accounts.refresh(request.refreshToken()));
    }

    @POST
    @Path("/logout")
    @PermitAll
    @Operation(summary = "End the login this refresh token belongs to")
    public Response logout(@Valid @NotNull RefreshRequest request) {
        accounts.logout(request.refreshToken());
        return Response.noContent().build();
    }

    @GET
    @Path("/signing-keys")
    @RolesAllowed("admin")
    @Operation(summary = "Signing keys and their rotation state (admin)")
    public Map<String, Object> signingKeys() {
        return signingKeys.status();
    }

    @POST
    @Path("/signing-keys/rotate")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    @Operation(summary = "Advance the rotation: next → current → previous (admin)")
    public Map<String, Object> rotate() {
        return signingKeys.rotate();
    }

    static String clientAddress(HttpServerRequest http) {
        if (http == null || http.remoteAddress() == null || http.remoteAddress().hostAddress() == null) {
            return "unknown";
        }
        String a = http.remoteAddress().hostAddress();
        return a.length() > 64 ? a.substring(0, 64) : a;
    }

    private static TokenResponse tokens(AccountService.Session s) {
        return new TokenResponse(UserSummary.of(s.user()), s.accessToken(), s.refreshToken(), "Bearer", s.expiresIn());
    }
}
