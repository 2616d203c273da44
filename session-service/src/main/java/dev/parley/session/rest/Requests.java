package dev.parley.session.rest;

import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.platform.json.JsonBody;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The API's request bodies (snake_case on the wire), checked by Bean Validation and the platform's {@link JsonBody} rules. */
public final class Requests {
    private Requests() { }

    /** Text that is not only white space (null passes: absent is the other annotations' business). */
    static final String NOT_BLANK = "(?s).*\\S.*";

    /**
     * A session's settings, for {@code POST} (absent: the default) and {@code PATCH} (absent: unchanged; {@code null}
     * clears title, system prompt and model, and empties llm_params and metadata).
     */
    @JsonBody(rejectUnknown = true)
    public record SessionFields(
            Optional<@Size(max = 200, message = "title must be a string of at most 200 characters.") String> title,
            Optional<@Size(max = 100_000, message = "system_prompt must be a string of at most 100000 characters.") String> systemPrompt,
            @Schema(enumeration = {"AUTO", "EXPLICIT", "DISABLED"})
            Optional<@NotNull(message = "memory_mode must be AUTO, EXPLICIT or DISABLED.")
                     @Pattern(regexp = "AUTO|EXPLICIT|DISABLED", message = "memory_mode must be AUTO, EXPLICIT or DISABLED.") String> memoryMode,
            Optional<@Size(max = 256, message = "model must be a string of at most 256 characters.") String> model,
            @Schema(description = "Default parameters of the session's turns (OpenAI's names: temperature, top_p, max_tokens, …)")
            @JsonObject(message = "llm_params must be an object.") JsonNode llmParams,
            @Schema(description = "Your own data about the session, at most 16 KiB of JSON")
            @JsonObject(message = "metadata must be an object of at most 16 KiB.", maxChars = 16_384) JsonNode metadata,
            @Schema(description = THINKING + " The session's turns use it unless a turn says otherwise; null clears it.", ref = "Thinking")
            @ThinkingValue JsonNode thinking) {
        static final SessionFields NONE = new SessionFields(null, null, null, null, null, null, null);
    }

    static final String THINKING = "Reasoning for models that have it: true (on), false (off) or {\"budget_tokens\":N} (on, at "
            + "most N tokens of reasoning); sent to the gateway as thinking. The reasoning is returned apart from the reply, in "
            + "the message's reasoning field (streamed as reasoning.delta events).";

    /**
     * A turn: {@code parent_message_id} left out continues the active branch, {@code null} starts a branch at the root,
     * a message id answers from there. {@code generate: false} stores the message without asking the model (importing
     * history, a note): {@code role} {@code user} (default) or {@code assistant} (an imported answer, with an optional
     * {@code model_used}).
     */
    @JsonBody
    public record NewMessage(
            @NotBlank(message = "content is required: the message text.")
            @Size(max = 200_000, message = "content is longer than 200000 characters.") String content,
            Optional<UUID> parentMessageId,
            @Size(max = 256, message = "model must be a non-empty string of at most 256 characters.")
            @Pattern(regexp = NOT_BLANK, message = "model must be a non-empty string of at most 256 characters.") String model,
            @Schema(description = "This turn's parameters, over the session's") @JsonObject(message = "llm_params must be an object.") JsonNode llmParams,
            @Schema(description = THINKING + " This turn only, over the session's.", ref = "Thinking") @ThinkingValue JsonNode thinking,
            @Schema(description = "false: store the message without asking the model (no reply, no usage, no memory extraction); "
                    + "default true")
            Boolean generate,
            @Schema(enumeration = {"user", "assistant"}, description = "With generate false: user (default) or assistant (an imported answer)")
            @Pattern(regexp = "user|assistant", message = "role is user or assistant.") String role,
            @Schema(description = "With generate false and role assistant: the model that wrote the imported answer")
            @Size(max = 256, message = "model_used must be a non-empty string of at most 256 characters.")
            @Pattern(regexp = NOT_BLANK, message = "model_used must be a non-empty string of at most 256 characters.") String modelUsed) {

        /** A turn that asks the model (every new field at its default). */
        public NewMessage(String content, Optional<UUID> parentMessageId, String model, JsonNode llmParams) {
            this(content, parentMessageId, model, llmParams, null, null, null, null);
        }

        /** Whether the model is asked for a reply (the default). */
        public boolean generates() {
            return generate == null || generate;
        }
    }

    /** Regenerating an answer: another model or parameters for this once (every field optional, so none unknown). */
    @JsonBody(rejectUnknown = true)
    public record Regeneration(
            @Size(max = 256, message = "model must be a non-empty string of at most 256 characters.")
            @Pattern(regexp = NOT_BLANK, message = "model must be a non-empty string of at most 256 characters.") String model,
            @JsonObject(message = "llm_params must be an object.") JsonNode llmParams,
            @Schema(description = THINKING + " This answer only, over the session's.", ref = "Thinking") @ThinkingValue JsonNode thinking) {
        static final Regeneration NONE = new Regeneration(null, null, null);
    }

    /** The message whose newest leaf becomes the active one. */
    @JsonBody
    public record ActiveLeaf(@NotNull(message = "Send {\"message_id\":\"…\"}.") UUID messageId) { }

    /** A text completion: with {@code session_id} a turn of that session, without a one-off answer. */
    @JsonBody
    public record TextCompletion(
            @NotBlank(message = "text is required.") @Size(max = 200_000, message = "text is longer than 200000 characters.") String text,
            @Schema(format = "uuid") String sessionId,
            @Size(max = 256, message = "model must be a non-empty string of at most 256 characters.")
            @Pattern(regexp = NOT_BLANK, message = "model must be a non-empty string of at most 256 characters.") String model,
            @JsonObject(message = "llm_params must be an object.") JsonNode llmParams,
            @Schema(description = THINKING, ref = "Thinking") @ThinkingValue JsonNode thinking) {

        public TextCompletion(String text, String sessionId, String model, JsonNode llmParams) {
            this(text, sessionId, model, llmParams, null);
        }
    }

    /** The stretch to summarise: from {@code from_message_id} (default the root) to {@code to_message_id} (default the active leaf). */
    @JsonBody
    public record Summarize(UUID fromMessageId, UUID toMessageId) { }
}
