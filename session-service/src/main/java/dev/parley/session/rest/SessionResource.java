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
    private final com.fasterxml.jackson.databind.ObjectMapper mapper;
    private final dev.parley.session.config.SessionConfig config;

    public SessionResource(SessionService sessions, TurnService turns, CurrentCaller caller,
                           com.fasterxml.jackson.databind.ObjectMapper mapper, dev.parley.session.config.SessionConfig config) {
        this.mapper = mapper;
        this.config = config;
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

    @POST
    @Path("/{id}/messages")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Send a message with images (multipart: content, image files, parent_message_id?, model?, llm_params? as JSON)")
    public Response sendWithImages(@PathParam("id") String id, @HeaderParam("Idempotency-Key") String idempotencyKey,
                                   @org.jboss.resteasy.reactive.RestForm("content") String content,
                                   @org.jboss.resteasy.reactive.RestForm("parent_message_id") String parent,
                                   @org.jboss.resteasy.reactive.RestForm("model") String model,
                                   @org.jboss.resteasy.reactive.RestForm("llm_params") String llmParams,
                                   @org.jboss.resteasy.reactive.RestForm("image") java.util.List<org.jboss.resteasy.reactive.multipart.FileUpload> images) {
        JsonNode body = formBody(mapper, content, parent, model, llmParams);
        java.util.List<dev.parley.session.service.Upload> uploads = uploads(uploaded(images), config);
        TurnService.TurnResult r = turns.send(owner(caller.get()), uuid(id, "session_id"), body, idempotencyKey, uploads, null);
        return Response.status(r.replay() ? 200 : 201)
                .entity(new TurnView(MessageView.of(r.user()), MessageView.of(r.assistant()))).build();
    }

    /** The JSON body of a turn sent as a form (multipart), as the JSON API takes it. */
    static JsonNode formBody(com.fasterxml.jackson.databind.ObjectMapper mapper, String content, String parent, String model,
                             String llmParams) {
        com.fasterxml.jackson.databind.node.ObjectNode body = mapper.createObjectNode();
        body.put("content", content);
        if (parent != null) {
            if (parent.isBlank() || "null".equals(parent)) {
                body.putNull("parent_message_id");
            } else {
                body.put("parent_message_id", parent);
            }
        }
        if (model != null) {
            body.put("model", model);
        }
        if (llmParams != null && !llmParams.isBlank()) {
            try {
                body.set("llm_params", mapper.readTree(llmParams));
            } catch (java.io.IOException e) {
                throw new ApiException(400, "VALIDATION_FAILED", "llm_params must be a JSON object.");
            }
        }
        return body;
    }

    /** An uploaded file as either HTTP layer hands it over (Quarkus REST or a Vert.x route). */
    record Uploaded(String fileName, long size, java.nio.file.Path path) { }

    static java.util.List<Uploaded> uploaded(java.util.List<org.jboss.resteasy.reactive.multipart.FileUpload> files) {
        return files == null ? java.util.List.of()
                : files.stream().map(f -> new Uploaded(f.fileName(), f.size(), f.uploadedFile())).toList();
    }

    /** Uploaded images, each checked: count, size (413), type from its bytes (415). */
    static java.util.List<dev.parley.session.service.Upload> uploads(java.util.List<Uploaded> files, dev.parley.session.config.SessionConfig config) {
        java.util.List<dev.parley.session.service.Upload> uploads = new java.util.ArrayList<>();
        if (files.size() > config.maxImages()) {
            throw new ApiException(400, "TOO_MANY_IMAGES", "At most " + config.maxImages() + " images per message.");
        }
        for (var f : files) {
            if (f.size() > config.maxImageBytes()) {
                throw new ApiException(413, "IMAGE_TOO_LARGE", "'" + f.fileName() + "' is larger than " + config.maxImageBytes() + " bytes.");
            }
            byte[] data;
            try {
                data = java.nio.file.Files.readAllBytes(f.path());
            } catch (java.io.IOException e) {
                throw new ApiException(400, "UNREADABLE_UPLOAD", "The upload could not be read.");
            }
            String type = dev.parley.session.service.Images.mediaType(data);
            if (type == null) {
                throw new ApiException(415, "UNSUPPORTED_IMAGE", "'" + f.fileName()
                        + "' is not a PNG, JPEG, GIF or WebP image (judged by its content, not its name).");
            }
            uploads.add(new dev.parley.session.service.Upload(data, type));
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
    public SessionView activeLeaf(@PathParam("id") String id, JsonNode body) {
        return SessionView.of(sessions.switchBranch(owner(caller.get()), uuid(id, "session_id"), body));
    }
}
