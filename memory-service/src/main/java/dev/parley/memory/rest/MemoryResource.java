package dev.parley.memory.rest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.parley.memory.entity.Memory;
import dev.parley.memory.rest.Views.MemoryView;
import dev.parley.memory.service.MemoryService;
import dev.parley.memory.service.Retrieval;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
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

    public MemoryResource(MemoryService memories, Retrieval retrieval, CurrentCaller caller) {
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
    public Response create(@NotNull(message = "Send a JSON object.") @Valid Requests.MemoryFields body) {
        Memory m = memories.create(owner(caller.get()), draft(body, false), "manual");
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
    public MemoryView update(@PathParam("id") String id, @NotNull(message = "Send a JSON object.") @Valid Requests.MemoryFields body) {
        return MemoryView.of(memories.update(owner(caller.get()), id(id), draft(body, true), "manual", "edited"));
    }

    /**
     * A write's fields as the service takes them (a create: content required, the scope follows from session_id when
     * not given, and must agree with it).
     */
    static MemoryService.Draft draft(Requests.MemoryFields b, boolean partial) {
        String content = null;
        if (b.content() != null || !partial) {
            content = present(b.content()).orElseThrow(() -> MemoryService.invalid("content", "content is required: the text to remember.")).strip();
        }
        String scope = present(b.scope()).orElse(null);
        UUID sessionId = present(b.sessionId()).orElse(null);
        if (!partial) {
            if (scope == null) {
                scope = sessionId != null ? Memory.SESSION : Memory.USER;
            }
            if (Memory.SESSION.equals(scope) && sessionId == null) {
                throw MemoryService.invalid("session_id", "A session-scoped memory names its session_id.");
            }
            if (Memory.USER.equals(scope) && sessionId != null) {
                throw MemoryService.invalid("session_id", "A user-scoped memory has no session_id.");
            }
        }
        String type = present(b.type()).map(t -> t.toLowerCase(Locale.ROOT)).orElse(null);
        if (type != null && !MemoryService.TYPES.contains(type)) {
            throw MemoryService.invalid("type", "type is one of " + String.join(", ", MemoryService.TYPES.stream().sorted().toList()) + ".");
        }
        List<String> keywords = null;
        if (b.keywords() != null) {
            Set<String> set = new LinkedHashSet<>();
            b.keywords().orElseThrow().forEach(k -> set.add(k.strip().toLowerCase(Locale.ROOT)));
            keywords = new ArrayList<>(set);
        }
        Float importance = b.importance() == null ? null : b.importance().orElseThrow().floatValue();
        List<UUID> related = b.relatedMessageIds() == null ? null : List.copyOf(b.relatedMessageIds().orElseThrow());
        Instant expiresAt = null;
        if (b.expiresAt() != null && b.expiresAt().isPresent()) {
            try {
                expiresAt = Instant.parse(b.expiresAt().get());
            } catch (RuntimeException e) {
                throw MemoryService.invalid("expires_at", "expires_at is an ISO-8601 instant such as 2027-01-01T00:00:00Z.");
            }
        }
        boolean clearExpiry = partial && b.expiresAt() != null && b.expiresAt().isEmpty();
        return new MemoryService.Draft(content, scope, sessionId, type, keywords, importance, related, expiresAt, clearExpiry);
    }

    /** A field's value: empty when it was left out or sent as null. */
    private static <T> Optional<T> present(Optional<T> field) {
        return field == null ? Optional.empty() : field;
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") String id) {
        memories.delete(owner(caller.get()), id(id));
        return Response.noContent().build();
    }

    @POST
    @Path("/search")
    @Operation(summary = "Hybrid search: {\"query\",\"session_id\"?,\"limit\"?} → {\"data\":[{\"memory\",\"score\"}],\"degraded\"}")
    public Response search(@NotNull(message = "query is required.") @Valid Requests.Search body) {
        Retrieval.Result r = retrieval.search(owner(caller.get()), body.sessionId(), body.query(), body.limit() == null ? 10 : body.limit());
        List<Views.SearchHit> hits = r.hits().stream().map(h -> new Views.SearchHit(MemoryView.of(h.memory()), h.score(), h.semantic(), h.text())).toList();
        return Response.ok(new Views.SearchResult(hits, r.degraded())).header("Server-Timing", r.serverTiming()).build();
    }
}
