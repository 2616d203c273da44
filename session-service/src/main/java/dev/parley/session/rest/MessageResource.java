package dev.parley.session.rest;

import static dev.parley.session.rest.SessionResource.owner;
import static dev.parley.session.rest.SessionResource.uuid;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.BodyErrors;
import dev.parley.platform.json.RequestBodies;
import dev.parley.platform.ratelimit.Generation;
import dev.parley.session.entity.Message;
import dev.parley.session.rest.Views.MessageView;
import dev.parley.session.rest.Views.Page;
import dev.parley.session.service.MemoryExtractions;
import dev.parley.session.service.SessionService;
import dev.parley.session.service.TurnService;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** One message, its history to the root, and regenerating an answer. */
@Path("/api/v1/messages")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Messages")
public class MessageResource {
    private final SessionService sessions;
    private final TurnService turns;
    private final dev.parley.session.service.Generations generations;
    private final CurrentCaller caller;
    private final RequestBodies bodies;

    private final MemoryExtractions extractions;

    public MessageResource(SessionService sessions, TurnService turns, dev.parley.session.service.Generations generations,
                           CurrentCaller caller, RequestBodies bodies, MemoryExtractions extractions) {
        this.extractions = extractions;
        this.generations = generations;
        this.bodies = bodies;
        this.sessions = sessions;
        this.turns = turns;
        this.caller = caller;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One message; a reply's context.memory_extraction says what became of its AUTO extraction (queued, done, "
            + "failed, skipped with a reason)")
    public MessageView get(@PathParam("id") String id) {
        Message m = sessions.message(owner(caller.get()), uuid(id, "message_id"));
        extractions.current(m);
        return MessageView.of(m);
    }

    @GET
    @Path("/{id}/history")
    @Operation(summary = "The chain from the first message to this one, oldest first")
    public Page<MessageView> history(@PathParam("id") String id) {
        return new Page<>(sessions.history(owner(caller.get()), uuid(id, "message_id")).stream().map(MessageView::of).toList(), null);
    }

    @GET
    @Path("/{id}/attachments/{attachment_id}")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "An image sent with one of your messages, as it was uploaded")
    public Response attachment(@PathParam("id") String id, @PathParam("attachment_id") String attachmentId) {
        java.util.UUID owner = owner(caller.get());
        var a = sessions.attachment(owner, uuid(attachmentId, "attachment_id"));
        if (!a.messageId.equals(uuid(id, "message_id"))) {
            throw dev.parley.platform.error.ApiException.notFound("ATTACHMENT_NOT_FOUND", "No such attachment.");
        }
        return Response.ok(a.data, a.mediaType).header("Cache-Control", "private, max-age=86400")
                .header("X-Content-Type-Options", "nosniff").build();
    }

    @POST
    @Path("/{id}/cancel")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Stop a streamed generation in flight (by its user message or its reply); the reply is kept as cancelled")
    public Response cancel(@PathParam("id") String id) {
        java.util.UUID owner = owner(caller.get());
        java.util.UUID messageId = uuid(id, "message_id");
        if (generations.cancel(owner, messageId)) {
            return Response.accepted(java.util.Map.of("status", "cancelling")).build();
        }
        // 404 when it is not the caller's message at all; another replica is asked only about the caller's own user
        // message (a reply is stored when its generation ends, so a reply id in flight elsewhere is not known here)
        dev.parley.session.entity.Message m = sessions.message(owner, messageId);
        if ("user".equals(m.role) && generations.cancelElsewhere(owner, messageId)) {
            return Response.accepted(java.util.Map.of("status", "cancelling")).build();
        }
        throw new dev.parley.platform.error.ApiException(409, "NOT_IN_FLIGHT", "No generation of this message is in flight.");
    }

    @POST
    @Path("/{id}/regenerate")
    @Consumes(MediaType.WILDCARD)
    @Generation
    @Operation(summary = "Answer the same user message again: a new sibling of this assistant message ({\"model\"?,\"llm_params\"?,"
            + "\"thinking\"?})")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Requests.Regeneration.class)))
    public Response regenerate(@PathParam("id") String id, String body) {
        // the body may be absent, and sent without a JSON content type: read here rather than by JAX-RS
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : bodies.mapper().readTree(body);
        } catch (java.io.IOException e) {
            throw BodyErrors.malformed();
        }
        Requests.Regeneration r = json == null || json.isNull() ? Requests.Regeneration.NONE : bodies.read(json, Requests.Regeneration.class);
        Message reply = turns.regenerate(owner(caller.get()), uuid(id, "message_id"), r.model(),
                SessionResource.withThinking(bodies.mapper(), SessionResource.params(bodies.mapper(), r.llmParams()), r.thinking()), null);
        return Response.status(201).entity(MessageView.of(reply)).build();
    }
}
