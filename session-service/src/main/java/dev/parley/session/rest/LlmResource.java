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
    private final dev.parley.session.service.OneOffCompletions oneOff;
    private final CurrentCaller caller;
    private final dev.parley.session.config.SessionConfig config;
    private final com.fasterxml.jackson.databind.ObjectMapper mapper;

    public LlmResource(TurnService turns, dev.parley.session.service.OneOffCompletions oneOff, CurrentCaller caller,
                       dev.parley.session.config.SessionConfig config, com.fasterxml.jackson.databind.ObjectMapper mapper) {
        this.turns = turns;
        this.oneOff = oneOff;
        this.caller = caller;
        this.config = config;
        this.mapper = mapper;
    }

    @POST
    @Path("/image-completion")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "multipart: image (one or more), prompt?, session_id?, model?: with a session a turn with the images "
            + "(201); without, a one-off answer (200) that stores nothing")
    public Response imageCompletion(@org.jboss.resteasy.reactive.RestForm("prompt") String prompt,
                                    @org.jboss.resteasy.reactive.RestForm("session_id") String sessionId,
                                    @org.jboss.resteasy.reactive.RestForm("model") String model,
                                    @org.jboss.resteasy.reactive.RestForm("image") java.util.List<org.jboss.resteasy.reactive.multipart.FileUpload> images) {
        UUID owner = owner(caller.get());
        java.util.List<dev.parley.session.service.Upload> uploads = SessionResource.uploads(SessionResource.uploaded(images), config);
        if (uploads.isEmpty()) {
            throw new dev.parley.platform.error.ApiException(400, "VALIDATION_FAILED", "Send at least one image (form field 'image').");
        }
        String text = prompt == null || prompt.isBlank() ? "Describe this image." : prompt;
        ObjectNode body = mapper.createObjectNode();
        if (model != null && !model.isBlank()) {
            body.put("model", model);
        }
        if (sessionId == null || sessionId.isBlank()) {
            body.put("text", text);
            return Response.ok(oneOff.complete(owner, body, uploads)).build();
        }
        body.put("content", text);
        TurnService.TurnResult r = turns.send(owner, SessionResource.uuid(sessionId, "session_id"), body, null, uploads, null);
        return Response.status(201).entity(new TurnView(MessageView.of(r.user()), MessageView.of(r.assistant()))).build();
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
            Map<String, Object> answer = oneOff.complete(owner, body);
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
