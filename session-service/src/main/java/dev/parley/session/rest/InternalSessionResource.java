package dev.parley.session.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.platform.error.ApiException;
import dev.parley.session.entity.Message;
import dev.parley.session.service.SessionService;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What other services read of a conversation (service tokens only, as every {@code /internal/**} path). */
@Authenticated
@Path("/internal/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class InternalSessionResource {
    /** One message as memory-service summarises it. */
    public record Line(UUID id, String role, String content, Instant createdAt) { }

    private final SessionService sessions;

    public InternalSessionResource(SessionService sessions) {
        this.sessions = sessions;
    }

    @GET
    @Path("/{id}/messages")
    @Operation(summary = "A stretch of the user's conversation, oldest first: from from_message_id (default the root) to "
            + "to_message_id (default the active leaf) along the branch; 404 when the session or a message is not the user's")
    public Map<String, Object> messages(@PathParam("id") String id, @QueryParam("user_id") String userId,
                                        @QueryParam("from_message_id") String from, @QueryParam("to_message_id") String to) {
        UUID user;
        try {
            user = UUID.fromString(userId == null ? "" : userId);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "VALIDATION_FAILED", "user_id must be a UUID.",
                    Map.of("fields", Map.of("user_id", "user_id must be a UUID.")));
        }
        List<Message> chain = sessions.stretch(user, SessionResource.uuid(id, "session_id"),
                from == null ? null : SessionResource.uuid(from, "message_id"), to == null ? null : SessionResource.uuid(to, "message_id"));
        return Map.of("data", chain.stream().map(m -> new Line(m.id, m.role, m.content, m.createdAt)).toList());
    }
}
