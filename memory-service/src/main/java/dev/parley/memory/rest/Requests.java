package dev.parley.memory.rest;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.platform.json.JsonBody;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The API's request bodies (snake_case on the wire), checked by Bean Validation and the platform's {@link JsonBody}
 * rules (a number is a JSON number: {@code "0.5"} is refused).
 */
public final class Requests {
    private Requests() { }

    /**
     * A memory's fields, for a create (content required) and a PATCH (absent: unchanged). {@code null} is refused for
     * content, keywords, importance and related_message_ids, means "none" for scope, session_id and type, and clears
     * expires_at in a PATCH.
     */
    @JsonBody(rejectUnknown = true)
    public record MemoryFields(
            Optional<@NotBlank(message = "content is required: the text to remember.")
                     @Size(max = 8000, message = "content is longer than 8000 characters.") String> content,
            @Schema(enumeration = {"user", "session"})
            Optional<@Pattern(regexp = "user|session", message = "scope is user or session.") String> scope,
            Optional<UUID> sessionId,
            @Schema(enumeration = {"fact", "preference", "instruction", "summary", "episode"})
            Optional<String> type,
            Optional<@NotNull(message = "keywords is an array of at most 32 strings.")
                     @Size(max = 32, message = "keywords is an array of at most 32 strings.")
                     List<@NotBlank(message = "each keyword is a non-empty string of at most 100 characters.")
                          @Size(max = 100, message = "each keyword is a non-empty string of at most 100 characters.") String>> keywords,
            Optional<@NotNull(message = "importance is a number from 0 to 1.") @DecimalMin(value = "0", message = "importance is a number from 0 to 1.")
                     @DecimalMax(value = "1", message = "importance is a number from 0 to 1.") Double> importance,
            Optional<@NotNull(message = "related_message_ids is an array of at most 100 message ids.")
                     @Size(max = 100, message = "related_message_ids is an array of at most 100 message ids.") List<@NotNull UUID>> relatedMessageIds,
            @Schema(format = "date-time", description = "An ISO-8601 instant such as 2027-01-01T00:00:00Z")
            Optional<String> expiresAt) {
        static final MemoryFields NONE = new MemoryFields(null, null, null, null, null, null, null, null);
    }

    /** A search of the user's memories (and that session's). */
    @JsonBody
    public record Search(@NotBlank(message = "query is required.") @Size(max = 10_000) String query, UUID sessionId,
                         @Min(value = 1, message = "limit is from 1 to 100.") @Max(value = 100, message = "limit is from 1 to 100.") Integer limit) { }

    /** OpenAI's embeddings request (other OpenAI fields are accepted and ignored): {@code input} a string or strings. */
    @JsonBody
    public record Embeddings(String model, @Schema(description = "A string or an array of strings") JsonNode input,
                             String encodingFormat, Integer dimensions) { }

    /** The memories for a prompt, within a token budget. */
    @JsonBody
    public record Context(@NotNull(message = "user_id is required.") UUID userId, UUID sessionId, String query,
                          @Min(value = 0, message = "token_budget is from 0 to 100000.")
                          @Max(value = 100_000, message = "token_budget is from 0 to 100000.") Integer tokenBudget) { }

    /** One message of an exchange (a role left out: user). */
    @JsonBody
    public record Line(UUID id, String role, @NotNull(message = "each message has a text content.") String content) { }

    /** One message of a stretch to summarise. */
    @JsonBody
    public record SummaryLine(@NotNull(message = "each message has its id.") UUID id,
                              @NotBlank(message = "each message has its role.") String role,
                              @NotNull(message = "each message has a text content.") String content) { }

    /**
     * A finished exchange for AUTO extraction: {@code message_id} the reply (the key of the outcome; default the last
     * message's id), {@code model} the session's (used unless {@code parley.memory.extraction-model} is set).
     */
    @JsonBody
    public record Exchange(@NotNull(message = "user_id is required.") UUID userId, UUID sessionId, UUID messageId,
                           @Size(max = 256, message = "model is a string of at most 256 characters.") String model,
                           @NotEmpty(message = "messages is a non-empty array of {id, role, content}.")
                           List<@Valid @NotNull Line> messages) { }

    /** A stretch of a user's conversation to summarise, oldest first, as session-service read it. */
    @JsonBody
    public record Stretch(@NotNull(message = "user_id is required.") UUID userId,
                          @NotNull(message = "session_id is required.") UUID sessionId,
                          @NotNull(message = "messages is an array of {id, role, content}.") @Size(max = 10_000)
                          List<@Valid @NotNull SummaryLine> messages,
                          UUID fromMessageId, UUID toMessageId) { }
}
