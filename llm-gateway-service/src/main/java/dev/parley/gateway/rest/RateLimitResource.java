package dev.parley.gateway.rest;

import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import dev.parley.gateway.service.ratelimit.RateLimitSettings.Limits;
import dev.parley.gateway.service.ratelimit.RateLimitSettings;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Admin API for rate limits: the default for every user, per-user overrides and per-access-key limits, each
 * {@code {"requests_per_minute","tokens_per_minute"}} with null meaning no limit. Stored in PostgreSQL, so every
 * replica applies a change within {@code parley.gateway.rate-limits.settings-refresh} (this one at once). DELETE
 * removes an override: the configured value (or the default) applies again.
 */
@Path("/api/v1/rate-limits")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
@Blocking
@Tag(name = "Rate limits (admin)")
public class RateLimitResource {
    /** A subject's limits as they apply; {@code source}: admin (this API), config, default, or none. */
    public record LimitView(String subject, UUID id, Long requestsPerMinute, Long tokensPerMinute, String source) { }


    private final RateLimitSettings settings;
    private final CurrentCaller caller;

    public RateLimitResource(RateLimitSettings settings, CurrentCaller caller) {
        this.settings = settings;
        this.caller = caller;
    }

    @GET
    @Path("/default")
    @Operation(summary = "The limits of every user without their own")
    public LimitView getDefault() {
        Limits l = settings.defaults();
        return new LimitView("default", null, l.requestsPerMinute(), l.tokensPerMinute(), l.source());
    }

    @PUT
    @Path("/default")
    @Operation(summary = "Set the limits of every user without their own (null: no limit)")
    public LimitView putDefault(@Valid @NotNull LimitsBody body) throws SQLException {
        settings.put("default", null, body.requests(), body.tokens(), caller.get().userId());
        return getDefault();
    }

    @DELETE
    @Path("/default")
    @Operation(summary = "Drop the admin default: the configured one applies again")
    public Response deleteDefault() throws SQLException {
        settings.delete("default", null);
        return Response.noContent().build();
    }

    @GET
    @Path("/users/{user_id}")
    @Operation(summary = "The limits that apply to a user")
    public LimitView getUser(@PathParam("user_id") String userId) {
        UUID id = uuid(userId, "user_id");
        Limits l = settings.forUser(id);
        // forUser answers the default's own object when the user has no limits of their own
        return new LimitView("user", id, l.requestsPerMinute(), l.tokensPerMinute(), l == settings.defaults() ? "default" : l.source());
    }

    @PUT
    @Path("/users/{user_id}")
    @Operation(summary = "Set a user's own limits (null: no limit, even when the default has one)")
    public LimitView putUser(@PathParam("user_id") String userId, @Valid @NotNull LimitsBody body) throws SQLException {
        UUID id = uuid(userId, "user_id");
        settings.put("user", id, body.requests(), body.tokens(), caller.get().userId());
        return getUser(userId);
    }

    @DELETE
    @Path("/users/{user_id}")
    @Operation(summary = "Drop a user's own limits: the default applies again")
    public Response deleteUser(@PathParam("user_id") String userId) throws SQLException {
        if (!settings.delete("user", uuid(userId, "user_id"))) {
            throw ApiException.notFound("RATE_LIMIT_NOT_FOUND", "This user has no limits of their own.");
        }
        return Response.noContent().build();
    }

    @GET
    @Path("/access-keys/{key_id}")
    @Operation(summary = "An access key's own limits (applied on top of its user's)")
    public LimitView getKey(@PathParam("key_id") String keyId) {
        UUID id = uuid(keyId, "key_id");
        Limits l = settings.forAccessKey(id);
        return new LimitView("access_key", id, l.requestsPerMinute(), l.tokensPerMinute(), l.source());
    }

    @PUT
    @Path("/access-keys/{key_id}")
    @Operation(summary = "Set an access key's own limits")
    public LimitView putKey(@PathParam("key_id") String keyId, @Valid @NotNull LimitsBody body) throws SQLException {
        UUID id = uuid(keyId, "key_id");
        settings.put("access_key", id, body.requests(), body.tokens(), caller.get().userId());
        return getKey(keyId);
    }

    @DELETE
    @Path("/access-keys/{key_id}")
    @Operation(summary = "Drop an access key's own limits")
    public Response deleteKey(@PathParam("key_id") String keyId) throws SQLException {
        if (!settings.delete("access_key", uuid(keyId, "key_id"))) {
            throw ApiException.notFound("RATE_LIMIT_NOT_FOUND", "This access key has no limits of its own.");
        }
        return Response.noContent().build();
    }

    private static UUID uuid(String value, String name) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "VALIDATION_FAILED", name + " must be a UUID", Map.of("fields", Map.of(name, "not a UUID")));
        }
    }
}
