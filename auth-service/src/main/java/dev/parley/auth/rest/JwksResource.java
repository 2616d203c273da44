package dev.parley.auth.rest;

import java.util.Map;

import dev.parley.auth.service.SigningKeys;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/.well-known/jwks.json")
@PermitAll
@Tag(name = "auth")
public class JwksResource {
    private final SigningKeys keys;

    public JwksResource(SigningKeys keys) {
        this.keys = keys;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Public keys that verify Parley's tokens")
    public Response jwks() {
        Map<String, Object> body = keys.jwks();
        CacheControl cache = new CacheControl();
        // Short: verifiers refresh every 10 min and NEXT waits 15 min before it signs; an HTTP cache must not eat the margin.
        cache.setMaxAge(60);
        return Response.ok(body).cacheControl(cache).build();
    }
}
