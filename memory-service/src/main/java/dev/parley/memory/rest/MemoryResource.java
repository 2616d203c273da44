package dev.parley.memory.rest;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.memory.entity.Memory;
import dev.parley.memory.rest.Views.MemoryView;
import dev.parley.memory.service.MemoryService;
import dev.parley.memory.service.Retrieval;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** A user's memories: CRUD, filtered pages, history, search. Only the owner sees a memory; anyone else gets 404. */
@io.quarkus.security.Authenticated
@Path("/api/v1/memories")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class MemoryResource {
    private final MemoryService memories;
    private final Retrieval retrieval;
    private final CurrentCaller caller;
    private final dev.parley.memory.service.Summaries summaries;

    public MemoryResource(MemoryService memories, Retrieval retrieval, CurrentCaller caller,
                          dev.parley.memory.service.Summaries summaries) {
        this.summaries = summaries;
        this.memories = memories;
        this.retrieval = retrieval;
        this.caller = caller;
    }

    static UUID owner(Caller c) {
        if (c.userId() == null) {
            throw ApiException.forbidden("A service must act for a user (X-Parley-User) here.");
        }
        return c.userId();
    }

    static UUID id(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw MemoryService.notFound();
        }
    }

    @POST
    @Operation(summary = "Remember something: {\"content\",\"scope\"?:\"user|session\",\"session_id\"?,\"type\"?,\"keywords\"?,\"importance\"?,\"expires_at\"?}")
    public Response create(JsonNode body) {
        Memory m = memories.create(owner(caller.get()), MemoryService.draft(body, false), "manual");
        return Response.status(201).entity(MemoryView.of(m)).build();
    }

    @GET
    @Operation(summary = "The user's memories, newest first, by session, scope, type or keyword (keyset pages)")
    public Views.Page<MemoryView> list(@QueryParam("session_id") String sessionId, @QueryParam("scope") String scope,
                                       @QueryParam("type") String type, @QueryParam("keyword") String keyword,
                                       @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        int n;
        try {
            n = limit == null || limit.isBlank() ? 50 : Integer.parseInt(limit.strip());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > 200) {
            throw MemoryService.invalid("limit", "limit is a whole number from 1 to 200.");
        }
        if (scope != null && !scope.equals(Memory.USER) && !scope.equals(Memory.SESSION)) {
            throw MemoryService.invalid("scope", "scope is user or session.");
        }
        if (type != null && !MemoryService.TYPES.contains(type.toLowerCase(Locale.ROOT))) {
            throw MemoryService.invalid("type", "type is one of fact, preference, instruction, summary, episode.");
        }
        UUID session = null;
        if (sessionId != null) {
            try {
                session = UUID.fromString(sessionId);
            } catch (IllegalArgumentException e) {
                throw MemoryService.invalid("session_id", "session_id must be a UUID.");
            }
        }
        MemoryService.Page page = memories.list(owner(caller.get()), session, scope,
                type == null ? null : type.toLowerCase(Locale.ROOT), keyword == null || keyword.isBlank() ? null : keyword.strip(), n, cursor);
        return new Views.Page<>(page.memories().stream().map(MemoryView::of).toList(), page.nextCursor());
    }

    @GET
    @Path("/{id}")
    public MemoryView get(@PathParam("id") String id) {
        return MemoryView.of(memories.get(owner(caller.get()), id(id)));
    }

    @GET
    @Path("/{id}/history")
    @Operation(summary = "The earlier contents of a memory, oldest first")
    public Map<String, Object> history(@PathParam("id") String id) {
        return Map.of("data", memories.history(owner(caller.get()), id(id)));
    }

    @PATCH
    @Path("/{id}")
    @Operation(summary = "Change any of content, scope, session_id, type, keywords, importance, expires_at (the old content goes to the history)")
    public MemoryView update(@PathParam("id") String id, JsonNode body) {
        return MemoryView.of(memories.update(owner(caller.get()), id(id), MemoryService.draft(body, true), "manual", "edited"));
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") String id) {
        memories.delete(owner(caller.get()), id(id));
        return Response.noContent().build();
    }

    @POST
    @Path("/summarize")
    @Operation(summary = "Summarise a stretch of a session into a summary memory: {\"session_id\",\"from_message_id\"?,\"to_message_id\"?}")
    public Response summarize(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw MemoryService.invalid("session_id", "Send {\"session_id\",\"from_message_id\"?,\"to_message_id\"?}.");
        }
        UUID session = optionalUuid(body, "session_id");
        if (session == null) {
            throw MemoryService.invalid("session_id", "session_id is required.");
        }
        Memory m = summaries.summarize(owner(caller.get()), session, optionalUuid(body, "from_message_id"),
                optionalUuid(body, "to_message_id"));
        return Response.status(201).entity(MemoryView.of(m)).build();
    }

    private static UUID optionalUuid(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        try {
            return UUID.fromString(n.asText());
        } catch (IllegalArgumentException e) {
            throw MemoryService.invalid(field, field + " must be a UUID.");
        }
    }

    @POST
    @Path("/search")
    @Operation(summary = "Hybrid search: {\"query\",\"session_id\"?,\"limit\"?} → {\"data\":[{\"memory\",\"score\"}],\"degraded\"}")
    public Response search(JsonNode body) {
        if (body == null || !body.path("query").isTextual() || body.get("query").asText().isBlank()) {
            throw MemoryService.invalid("query", "query is required.");
        }
        int limit = body.path("limit").asInt(10);
        if (limit < 1 || limit > 100) {
            throw MemoryService.invalid("limit", "limit is from 1 to 100.");
        }
        UUID session = null;
        if (body.hasNonNull("session_id")) {
            try {
                session = UUID.fromString(body.get("session_id").asText());
            } catch (IllegalArgumentException e) {
                throw MemoryService.invalid("session_id", "session_id must be a UUID.");
            }
        }
        Retrieval.Result r = retrieval.search(owner(caller.get()), session, body.get("query").asText(), limit);
        List<Views.SearchHit> hits = r.hits().stream().map(h -> new Views.SearchHit(MemoryView.of(h.memory()), h.score(), h.semantic(), h.text())).toList();
        return Response.ok(new Views.SearchResult(hits, r.degraded())).header("Server-Timing", r.serverTiming()).build();
    }
}
