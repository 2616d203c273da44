package dev.parley.session.rest;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.error.BodyErrors;
import dev.parley.platform.json.RequestBodies;
import dev.parley.platform.ratelimit.ApiRateLimiter;
import dev.parley.session.client.SummaryMemory;
import dev.parley.session.config.SessionConfig;
import dev.parley.session.rest.Views.MessageView;
import dev.parley.session.rest.Views.Page;
import dev.parley.session.rest.Views.SessionView;
import dev.parley.session.rest.Views.TurnView;
import dev.parley.session.service.Images;
import dev.parley.session.service.SessionService;
import dev.parley.session.service.Summaries;
import dev.parley.session.service.TurnService;
import dev.parley.session.service.Upload;
import io.quarkus.security.Authenticated;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

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
    private final Summaries summaries;
    private final CurrentCaller caller;
    private final RequestBodies bodies;
    private final SessionConfig config;
    private final ApiRateLimiter limiter;

    public SessionResource(SessionService sessions, TurnService turns, Summaries summaries, CurrentCaller caller,
                           RequestBodies bodies, SessionConfig config, ApiRateLimiter limiter) {
        this.limiter = limiter;
        this.sessions = sessions;
        this.turns = turns;
        this.summaries = summaries;
        this.caller = caller;
        this.bodies = bodies;
        this.config = config;
    }

    /**
     * A turn that asks the model counts against the caller's generation limit (the platform's filter counted the
     * call as a request); a message stored with {@code generate: false} (an import, a note) does not.
     */
    private void countGeneration(Requests.NewMessage body, HttpServerRequest request) {
        if (body.generates()) {
            limiter.check(caller.get(), request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(),
                    ApiRateLimiter.Kind.GENERATIONS);
        }
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
    public Response create(@Valid Requests.SessionFields body) {
        SessionService.Settings settings = settings(bodies.mapper(), body == null ? Requests.SessionFields.NONE : body);
        return Response.status(201).entity(SessionView.of(sessions.create(owner(caller.get()), settings))).build();
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
    @Operation(summary = "Change a session's title, system prompt, memory mode, model, parameters or metadata (absent: unchanged; "
            + "null clears title, system prompt and model, and empties llm_params and metadata)")
    public SessionView update(@PathParam("id") String id,
                              @NotNull(message = "The body must be a JSON object.") @Valid Requests.SessionFields body) {
        return SessionView.of(sessions.update(owner(caller.get()), uuid(id, "session_id"), settings(bodies.mapper(), body)));
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
            + "absent continues the active branch; Idempotency-Key makes a retry return the first turn; generate false stores "
            + "the message (role user, or assistant with model_used?) without asking the model: the other message is null")
    public Response send(@PathParam("id") String id, @HeaderParam("Idempotency-Key") String idempotencyKey,
                         @NotNull(message = "Send {\"content\":\"…\"}.") @Valid Requests.NewMessage body,
                         @Context HttpServerRequest request) {
        countGeneration(body, request);
        TurnService.TurnResult r = turns.send(owner(caller.get()), uuid(id, "session_id"), turn(bodies.mapper(), body), idempotencyKey, null);
        return Response.status(r.replay() ? 200 : 201)
                .entity(new TurnView(MessageView.of(r.user()), MessageView.of(r.assistant()))).build();
    }

    @POST
    @Path("/{id}/messages")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Send a message with images (multipart: content, image files, parent_message_id?, model?, llm_params? "
            + "and thinking? as JSON, generate?, role?, model_used?)")
    public Response sendWithImages(@PathParam("id") String id, @HeaderParam("Idempotency-Key") String idempotencyKey,
                                   @RestForm("content") String content, @RestForm("parent_message_id") String parent,
                                   @RestForm("model") String model, @RestForm("llm_params") String llmParams,
                                   @RestForm("thinking") String thinking, @RestForm("generate") String generate,
                                   @RestForm("role") String role, @RestForm("model_used") String modelUsed,
                                   @RestForm("image") List<FileUpload> images, @Context HttpServerRequest request) {
        Requests.NewMessage body = bodies.valid(formMessage(bodies.mapper(), new Form(content, parent, model, llmParams, thinking,
                generate, role, modelUsed)));
        countGeneration(body, request);
        List<Upload> uploads = uploads(uploaded(images), config);
        if (!uploads.isEmpty() && "assistant".equals(body.role())) {
            throw BodyErrors.field("image", "Images go with user messages only.");
        }
        TurnService.TurnResult r = turns.send(owner(caller.get()), uuid(id, "session_id"), turn(bodies.mapper(), body), idempotencyKey,
                uploads, null);
        return Response.status(r.replay() ? 200 : 201)
                .entity(new TurnView(MessageView.of(r.user()), MessageView.of(r.assistant()))).build();
    }

    /** A turn's form fields as sent (multipart), each null when left out. */
    record Form(String content, String parent, String model, String llmParams, String thinking, String generate, String role,
                String modelUsed) { }

    /**
     * A turn sent as a form (multipart), as the JSON body would carry it ({@code parent_message_id} blank or "null": the
     * root; {@code llm_params} and {@code thinking} as JSON text; {@code generate} "true" or "false").
     */
    static Requests.NewMessage formMessage(ObjectMapper mapper, Form f) {
        String parent = f.parent();
        Optional<UUID> parentId = null;
        if (parent != null) {
            if (parent.isBlank() || "null".equals(parent)) {
                parentId = Optional.empty();
            } else {
                try {
                    parentId = Optional.of(UUID.fromString(parent.strip()));
                } catch (IllegalArgumentException e) {
                    throw BodyErrors.field("parent_message_id", "parent_message_id must be a UUID.");
                }
            }
        }
        Boolean generate = null;
        if (f.generate() != null && !f.generate().isBlank()) {
            generate = switch (f.generate().strip()) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw BodyErrors.field("generate", BodyErrors.WRONG_TYPE, "generate is true or false.");
            };
        }
        return new Requests.NewMessage(f.content(), parentId, f.model(), formJson(mapper, f.llmParams(), "llm_params", "llm_params must be a JSON object."),
                formJson(mapper, f.thinking(), "thinking", ThinkingValue.MESSAGE), generate, f.role(), f.modelUsed());
    }

    private static JsonNode formJson(ObjectMapper mapper, String text, String field, String message) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            throw BodyErrors.field(field, message);
        }
    }

    /**
     * The checked turn as the service takes it ({@code thinking} among its parameters). A message stored without
     * generating ({@code generate: false}) takes no model, parameters or thinking; {@code role: assistant} and
     * {@code model_used} only go with it.
     */
    static TurnService.NewTurn turn(ObjectMapper mapper, Requests.NewMessage m) {
        String role = m.role() == null ? "user" : m.role();
        if (m.generates()) {
            if ("assistant".equals(role)) {
                throw BodyErrors.field("role", "role assistant stores an answer you already have: send it with generate false.");
            }
            if (m.modelUsed() != null) {
                throw BodyErrors.field("model_used", "model_used names the model of an imported answer: send it with generate false and role assistant.");
            }
            return new TurnService.NewTurn(m.content(), m.parentMessageId(), m.model(), withThinking(mapper, params(mapper, m.llmParams()), m.thinking()));
        }
        for (var asked : new Object[][] {{"model", m.model()}, {"llm_params", m.llmParams()}, {"thinking", m.thinking()}}) {
            Object v = asked[1];
            if (v != null && !(v instanceof JsonNode n && n.isNull())) {
                throw BodyErrors.field((String) asked[0], asked[0] + " asks the model for a reply: leave it out with generate false.");
            }
        }
        if (m.modelUsed() != null && !"assistant".equals(role)) {
            throw BodyErrors.field("model_used", "model_used goes with role assistant (an imported answer).");
        }
        return new TurnService.NewTurn(m.content(), m.parentMessageId(), null, Map.of(), false, role, m.modelUsed());
    }

    /** The parameters with {@code thinking} over them when it was sent (left out or null: the parameters as they are). */
    static Map<String, Object> withThinking(ObjectMapper mapper, Map<String, Object> params, JsonNode thinking) {
        if (thinking == null || thinking.isNull()) {
            return params;
        }
        Map<String, Object> out = new LinkedHashMap<>(params);
        out.put("thinking", mapper.convertValue(thinking, Object.class));
        return out;
    }

    /** A free-form object (already checked to be one, or absent, or null) as a map; absent and null: empty. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> params(ObjectMapper mapper, JsonNode node) {
        return node == null || node.isNull() ? Map.of() : mapper.convertValue(node, LinkedHashMap.class);
    }

    static SessionService.Settings settings(ObjectMapper mapper, Requests.SessionFields f) {
        return new SessionService.Settings(f.title(), f.systemPrompt(), f.memoryMode(), f.model(), object(mapper, f.llmParams()),
                object(mapper, f.metadata()), f.thinking() == null ? null
                        : f.thinking().isNull() ? Optional.empty() : Optional.of(mapper.convertValue(f.thinking(), Object.class)));
    }

    /** Absent: null (unchanged); JSON null: empty (cleared); an object: its map. */
    private static Optional<Map<String, Object>> object(ObjectMapper mapper, JsonNode node) {
        return node == null ? null : node.isNull() ? Optional.empty() : Optional.of(params(mapper, node));
    }

    /** An uploaded file as either HTTP layer hands it over (Quarkus REST or a Vert.x route). */
    record Uploaded(String fileName, long size, java.nio.file.Path path) { }

    static List<Uploaded> uploaded(List<FileUpload> files) {
        return files == null ? List.of() : files.stream().map(f -> new Uploaded(f.fileName(), f.size(), f.uploadedFile())).toList();
    }

    /** Uploaded images, each checked: count, size (413), type from its bytes (415). */
    static List<Upload> uploads(List<Uploaded> files, SessionConfig config) {
        List<Upload> uploads = new ArrayList<>();
        if (files.size() > config.maxImages()) {
            throw new ApiException(400, "TOO_MANY_IMAGES", "At most " + config.maxImages() + " images per message.");
        }
        for (var f : files) {
            if (f.size() > config.maxImageBytes()) {
                throw new ApiException(413, "IMAGE_TOO_LARGE", "'" + f.fileName() + "' is larger than " + config.maxImageBytes() + " bytes.");
            }
            byte[] data;
            try {
                data = Files.readAllBytes(f.path());
            } catch (IOException e) {
                throw new ApiException(400, "UNREADABLE_UPLOAD", "The upload could not be read.");
            }
            String type = Images.mediaType(data);
            if (type == null) {
                throw new ApiException(415, "UNSUPPORTED_IMAGE", "'" + f.fileName()
                        + "' is not a PNG, JPEG, GIF or WebP image (judged by its content, not its name).");
            }
            uploads.add(new Upload(data, type));
        }
        return uploads;
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
    public SessionView activeLeaf(@PathParam("id") String id,
                                  @NotNull(message = "Send {\"message_id\":\"…\"}.") @Valid Requests.ActiveLeaf body) {
        return SessionView.of(sessions.switchBranch(owner(caller.get()), uuid(id, "session_id"), body.messageId()));
    }

    @POST
    @Path("/{id}/summarize")
    @Operation(summary = "Summarise a stretch of the session (from from_message_id, default the root, to to_message_id, default the "
            + "active leaf, along the branch) into a summary memory, written by memory-service; 201 with the memory")
    public Response summarize(@PathParam("id") String id, @NotNull(message = "Send {\"from_message_id\"?,\"to_message_id\"?} "
            + "({} for the whole active branch).") @Valid Requests.Summarize body) {
        SummaryMemory memory = summaries.summarize(owner(caller.get()), uuid(id, "session_id"), body.fromMessageId(), body.toMessageId());
        return Response.status(201).entity(memory).build();
    }
}
