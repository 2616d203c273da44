package dev.parley.session.rest;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import dev.parley.session.rest.Views.MessageView;
import dev.parley.session.rest.Views.Page;
import dev.parley.session.rest.Views.SessionView;
import dev.parley.session.rest.Views.TurnView;
import dev.parley.session.service.SessionService;
import dev.parley.session.service.TurnService;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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

/**
 * Sessions and their messages. A user (or a service acting for one with {@code X-Parley-User}) sees only their own:
 * anyone else's session or message answers 404, as a missing one does. With {@code Accept: text/event-stream} the
 * message POST streams (see {@link TurnStreamRoutes}).
 */
@Path("/api/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Sessions")
public class SessionResource {
    private final SessionService sessions;
    private final TurnService turns;
    private final CurrentCaller caller;

    public SessionResource(SessionService sessions, TurnService turns, CurrentCaller caller) {
        this.sessions = sessions;
        this.turns = turns;
        this.caller = caller;
    }

    static UUID owner(Caller c) {
        if (c.userId() == null) {
            throw ApiException.forbidden("A service must act for a user (X-Parley-User) here.");
        }
        return c.userId();
    }

    static UUID uuid(String value, String name) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound(name.equals("session_id") ? "SESSION_NOT_FOUND" : "MESSAGE_NOT_FOUND", "No such " + name.replace("_id", "") + ".");
        }
    }

    @POST
    @Operation(summary = "Create a session")
    public Response create(JsonNode body) {
        return Response.status(201).entity(SessionView.of(sessions.create(owner(caller.get()), body))).build();
    }

    @GET
    @Operation(summary = "Your sessions, newest first; ?title= filters by title text; keyset-paginated")
    public Page<SessionView> list(@QueryParam("limit") @DefaultValue("20") int limit, @QueryParam("cursor") String cursor,
                                  @QueryParam("title") String title) {
        SessionService.Page p = sessions.list(owner(caller.get()), limit, cursor, title);
        return new Page<>(p.sessions().stream().map(SessionView::of).toList(), p.nextCursor());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One session")
    public SessionView get(@PathParam("id") String id) {
        return SessionView.of(sessions.get(owner(caller.get()), uuid(id, "session_id")));
    }

    @PATCH
    @Path("/{id}")
    @Operation(summary = "Change a session's title, system prompt, memory mode, model, parameters or metadata")
    public SessionView update(@PathParam("id") String id, JsonNode body) {
        return SessionView.of(sessions.update(owner(caller.get()), uuid(id, "session_id"), body));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a session, its messages, and (in the background) its memories")
    public Response delete(@PathParam("id") String id) {
        sessions.delete(owner(caller.get()), uuid(id, "session_id"));
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/messages")
    @Operation(summary = "Send a message and get the reply (a turn); parent_message_id: null starts a branch at the root, "
            + "absent continues the active branch; Idempotency-Key makes a retry return the first turn")
    public Response send(@PathParam("id") String id, @HeaderParam("Idempotency-Key") String idempotencyKey, JsonNode body) {
        TurnService.TurnResult r = turns.send(owner(caller.get()), uuid(id, "session_id"), body, idempotencyKey, null);
        return Response.status(r.replay() ? 200 : 201)
                .entity(new TurnView(MessageView.of(r.user()), MessageView.of(r.assistant()))).build();
    }

    @GET
    @Path("/{id}/messages")
    @Operation(summary = "The active branch, oldest first; ?view=tree: every message with its parent")
    public Page<MessageView> messages(@PathParam("id") String id, @QueryParam("view") String view) {
        UUID owner = owner(caller.get());
        UUID sessionId = uuid(id, "session_id");
        var list = "tree".equals(view) ? sessions.tree(owner, sessionId) : sessions.activeBranch(owner, sessionId);
        return new Page<>(list.stream().map(MessageView::of).toList(), null);
    }

    @PUT
    @Path("/{id}/active-leaf")
    @Operation(summary = "Show another branch: {\"message_id\"} (its newest leaf becomes the active one)")
    public SessionView activeLeaf(@PathParam("id") String id, JsonNode body) {
        return SessionView.of(sessions.switchBranch(owner(caller.get()), uuid(id, "session_id"), body));
    }
}
