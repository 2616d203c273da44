package dev.parley.session.rest;

import static dev.parley.session.rest.SessionResource.owner;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.json.RequestBodies;
import dev.parley.platform.ratelimit.Generation;
import dev.parley.session.config.SessionConfig;
import dev.parley.session.rest.Views.MessageView;
import dev.parley.session.rest.Views.TurnView;
import dev.parley.session.service.OneOffCompletions;
import dev.parley.session.service.TurnService;
import dev.parley.session.service.Upload;
import io.quarkus.security.Authenticated;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** Completion endpoints for simple clients: stateful with a session (a turn), or a one-off call that stores nothing. */
@Path("/api/v1/llm")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Completions")
public class LlmResource {
    private final TurnService turns;
    private final OneOffCompletions oneOff;
    private final CurrentCaller caller;
    private final SessionConfig config;
    private final RequestBodies bodies;

    public LlmResource(TurnService turns, OneOffCompletions oneOff, CurrentCaller caller, SessionConfig config, RequestBodies bodies) {
        this.turns = turns;
        this.oneOff = oneOff;
        this.caller = caller;
        this.config = config;
        this.bodies = bodies;
    }

    @POST
    @Path("/image-completion")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Generation
    @Operation(summary = "multipart: image (one or more), prompt?, session_id?, model?, thinking? (JSON): with a session a turn "
            + "with the images (201); without, a one-off answer (200) that stores nothing")
    public Response imageCompletion(@RestForm("prompt") String prompt, @RestForm("session_id") String sessionId,
                                    @RestForm("model") String model, @RestForm("thinking") String thinking,
                                    @RestForm("image") List<FileUpload> images) {
        UUID owner = owner(caller.get());
        JsonNode thinkingNode = thinking(thinking);
        List<Upload> uploads = SessionResource.uploads(SessionResource.uploaded(images), config);
        if (uploads.isEmpty()) {
            throw new ApiException(400, "VALIDATION_FAILED", "Send at least one image (form field 'image').");
        }
        String text = prompt == null || prompt.isBlank() ? "Describe this image." : prompt;
        String m = model == null || model.isBlank() ? null : model;
        if (sessionId == null || sessionId.isBlank()) {
            bodies.valid(new Requests.TextCompletion(text, null, m, null, thinkingNode));
            return Response.ok(oneOff.complete(owner, text, m, SessionResource.withThinking(bodies.mapper(), Map.of(), thinkingNode),
                    uploads)).build();
        }
        Requests.NewMessage message = bodies.valid(new Requests.NewMessage(text, null, m, null, thinkingNode, null, null, null));
        TurnService.TurnResult r = turns.send(owner, SessionResource.uuid(sessionId, "session_id"),
                SessionResource.turn(bodies.mapper(), message), null, uploads, null);
        return Response.status(201).entity(new TurnView(MessageView.of(r.user()), MessageView.of(r.assistant()))).build();
    }

    @POST
    @Path("/text-completion")
    @Generation
    @Operation(summary = "{\"text\",\"session_id\"?,\"model\"?,\"llm_params\"?,\"thinking\"?}: with a session a turn (201, both "
            + "messages); without, a one-off answer {text, reasoning, model, finish_reason, usage} (200) that stores nothing")
    public Response textCompletion(@NotNull(message = "Send {\"text\":\"…\"}.") @Valid Requests.TextCompletion body) {
        UUID owner = owner(caller.get());
        Map<String, Object> params = SessionResource.withThinking(bodies.mapper(), SessionResource.params(bodies.mapper(), body.llmParams()),
                body.thinking());
        if (body.sessionId() == null) {
            return Response.ok(oneOff.complete(owner, body.text(), body.model(), params, List.of())).build();
        }
        TurnService.NewTurn turn = new TurnService.NewTurn(body.text(), (Optional<UUID>) null, body.model(), params);
        TurnService.TurnResult r = turns.send(owner, SessionResource.uuid(body.sessionId(), "session_id"), turn, null, null);
        return Response.status(201).entity(new TurnView(MessageView.of(r.user()), MessageView.of(r.assistant()))).build();
    }

    /** The form's {@code thinking} (JSON text: true, false or {"budget_tokens":N}); checked with the rest of the request. */
    private JsonNode thinking(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return bodies.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw dev.parley.platform.error.BodyErrors.field("thinking", ThinkingValue.MESSAGE);
        }
    }
}
