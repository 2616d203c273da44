package dev.parley.platform.health;

import java.util.Map;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code GET /health}: the public answer clients and uptime monitors poll (the ingress routes it; {@code /q} is never
 * routed). It says UP (200) or DOWN (503) and nothing else — no check names, no versions, no database details, which
 * {@code /q/health} gives operators on the service's own port. The answer is computed at most once a second, so
 * polling cannot load the database; it is not rate-limited.
 */
@Path("/health")
public class PublicHealthResource {
    private static final long CACHE_NANOS = 1_000_000_000L;

    private final SmallRyeHealthReporter reporter;
    private volatile boolean up;
    private volatile long at;

    public PublicHealthResource(SmallRyeHealthReporter reporter) {
        this.reporter = reporter;
    }

    @GET
    @PermitAll
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Liveness for clients: {\"status\":\"UP\"} (200) or {\"status\":\"DOWN\"} (503), nothing else")
    public Response health() {
        long now = System.nanoTime();
        if (at == 0 || now - at > CACHE_NANOS) {
            SmallRyeHealth h = reporter.getHealth();
            up = !h.isDown();
            at = now;
        }
        return Response.status(up ? 200 : 503).entity(Map.of("status", up ? "UP" : "DOWN"))
                .header("Cache-Control", "no-store").build();
    }
}
