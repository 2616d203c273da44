package dev.parley.gateway.rest;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.parley.gateway.service.UserRouteService;
import dev.parley.gateway.service.UserRoutes.Step;
import dev.parley.gateway.service.UserRoutes.UserRoute;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Routes users define ({@code scope: user}) and global ones an admin defines for everyone ({@code scope: global}):
 * an alias to an ordered fallback chain, used by {@code /v1} like the operator's routes. Another user's route is a
 * 404; a global one can be read by everyone and changed by admins only.
 */
@Path("/api/v1/routes")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Blocking
@Tag(name = "Routes")
public class RouteResource {
    /** One step as stored. */
    public record StepView(String model, String timeout, Integer weight) { }

    /** A route as answered. */
    public record RouteView(UUID id, String alias, String description, List<StepView> deployments, String scope,
                            Instant createdAt, Instant updatedAt) {
        static RouteView of(UserRoute r) {
            return new RouteView(r.id(), r.alias(), r.description(),
                    r.deployments().stream().map(RouteResource::view).toList(), r.scope(), r.createdAt(), r.updatedAt());
        }
    }

    /** The caller's routes, then the global ones. */
    public record RouteList(List<RouteView> data) { }

    private final UserRouteService routes;
    private final CurrentCaller caller;

    public RouteResource(UserRouteService routes, CurrentCaller caller) {
        this.routes = routes;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "Your routes, then the global ones")
    public RouteList list() throws SQLException {
        return new RouteList(routes.list(caller.get()).stream().map(RouteView::of).toList());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Define a route (\"scope\":\"global\": for everyone, admin only)")
    public Response create(@Valid @NotNull RouteBody body) throws SQLException {
        return Response.status(201).entity(RouteView.of(routes.create(caller.get(), body.draft()))).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One of your routes, or a global one")
    public RouteView get(@PathParam("id") String id) throws SQLException {
        return RouteView.of(routes.get(caller.get(), uuid(id)));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace one of your routes (a global one: admin only)")
    public RouteView update(@PathParam("id") String id, @Valid @NotNull RouteBody body) throws SQLException {
        return RouteView.of(routes.update(caller.get(), uuid(id), body.draft()));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete one of your routes (a global one: admin only)")
    public Response delete(@PathParam("id") String id) throws SQLException {
        routes.delete(caller.get(), uuid(id));
        return Response.noContent().build();
    }

    private static StepView view(Step s) {
        return new StepView(s.model(), s.timeout(), s.weight());
    }

    /** A malformed id names no route: 404, as an unknown one. */
    private static UUID uuid(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("ROUTE_NOT_FOUND", "No such route.");
        }
    }
}
