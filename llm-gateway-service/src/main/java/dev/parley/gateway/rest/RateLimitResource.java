package dev.parley.gateway.rest;

import java.sql.SQLException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.gateway.service.ratelimit.RateLimitSettings;
import dev.parley.gateway.service.ratelimit.RateLimitSettings.Limits;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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
    private static final Set<String> FIELDS = Set.of("requests_per_minute", "tokens_per_minute");

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
    public LimitView putDefault(JsonNode body) throws SQLException {
        Long[] v = parse(body);
        settings.put("default", null, v[0], v[1], caller.get().userId());
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
    public LimitView putUser(@PathParam("user_id") String userId, JsonNode body) throws SQLException {
        UUID id = uuid(userId, "user_id");
        Long[] v = parse(body);
        settings.put("user", id, v[0], v[1], caller.get().userId());
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
    public LimitView putKey(@PathParam("key_id") String keyId, JsonNode body) throws SQLException {
        UUID id = uuid(keyId, "key_id");
        Long[] v = parse(body);
        settings.put("access_key", id, v[0], v[1], caller.get().userId());
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
            throw new ApiException(400, "VALIDATION_FAILED", name + " must be a UUID", Map.of(name, "not a UUID"));
        }
    }

    /** Both fields, each a non-negative integer or null; anything else (a typo included) is a 400. */
    private static Long[] parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ApiException(400, "VALIDATION_FAILED", "Send {\"requests_per_minute\":n|null,\"tokens_per_minute\":n|null}.");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new ApiException(400, "VALIDATION_FAILED", "Unknown field '" + f + "'.", Map.of(f, "unknown field"));
            }
        }
        Long[] out = new Long[2];
        int i = 0;
        for (String f : new String[] {"requests_per_minute", "tokens_per_minute"}) {
            if (!body.has(f)) {
                throw new ApiException(400, "VALIDATION_FAILED", f + " is required (null for no limit).", Map.of(f, "required"));
            }
            JsonNode v = body.get(f);
            if (!v.isNull() && !(v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0)) {
                throw new ApiException(400, "VALIDATION_FAILED", f + " must be a non-negative integer or null.", Map.of(f, "invalid"));
            }
            out[i++] = v.isNull() ? null : v.asLong();
        }
        return out;
    }
}
