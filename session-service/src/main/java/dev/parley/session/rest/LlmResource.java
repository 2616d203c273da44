package dev.parley.session.rest;

import static dev.parley.session.rest.SessionResource.owner;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.session.rest.Views.MessageView;
import dev.parley.session.rest.Views.TurnView;
import dev.parley.session.service.TurnService;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Completion endpoints for simple clients: stateful with a session (a turn), or a one-off call that stores nothing. */
@Path("/api/v1/llm")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Completions")
public class LlmResource {
    private final TurnService turns;
    private final CurrentCaller caller;

    public LlmResource(TurnService turns, CurrentCaller caller) {
        this.turns = turns;
        this.caller = caller;
    }

    @POST
    @Path("/text-completion")
    @Operation(summary = "{\"text\",\"session_id\"?,\"model\"?,\"llm_params\"?}: with a session a turn (201, both messages); "
            + "without, a one-off answer {text, model, finish_reason, usage} (200) that stores nothing")
    public Response textCompletion(JsonNode body) {
        UUID owner = owner(caller.get());
        if (body == null || !body.isObject()) {
            throw new dev.parley.platform.error.ApiException(400, "VALIDATION_FAILED", "Send {\"text\":\"…\"}.");
        }
        JsonNode sid = body.get("session_id");
        if (sid == null || sid.isNull()) {
            Map<String, Object> answer = turns.oneOff(owner, body);
            return Response.ok(answer).build();
        }
        ObjectNode turn = ((ObjectNode) body).deepCopy();
        turn.set("content", body.get("text"));
        turn.remove("text");
        turn.remove("session_id");
        TurnService.TurnResult r = turns.send(owner, SessionResource.uuid(sid.asText(), "session_id"), turn, null, null);
        return Response.status(201).entity(new TurnView(MessageView.of(r.user()), MessageView.of(r.assistant()))).build();
    }
}
