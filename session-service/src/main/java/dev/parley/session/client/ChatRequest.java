package dev.parley.session.client;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A request to the gateway's {@code /v1/chat/completions} (OpenAI's fields, snake_case on the wire; absent fields are
 * left out). Build it with {@link #of}: the turn's parameters ({@code llm_params}, free-form) become OpenAI fields,
 * values passed as the user gave them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatRequest(String model, List<Map<String, Object>> messages, Boolean stream, StreamOptions streamOptions,
                          Object temperature, Object topP, Object maxTokens, Object stop, Object presencePenalty,
                          Object frequencyPenalty, Object seed, Object responseFormat, Object tools, Object toolChoice,
                          String reasoningEffort, Object thinking) {

    /** {@code stream_options}: ask for the usage chunk at the end of a stream. */
    public record StreamOptions(boolean includeUsage) { }

    /**
     * {@code params}: the session's and the turn's parameters merged. Known OpenAI fields are sent ({@code reasoning}
     * as {@code reasoning_effort}), and {@code thinking} ({@code true}, {@code false} or {@code {"budget_tokens":N}},
     * Parley's shorthand that the gateway translates for each provider); other keys stay with the session and are not
     * sent.
     */
    public static ChatRequest of(String model, List<Map<String, Object>> messages, Map<String, Object> params, boolean stream) {
        String reasoning = params.containsKey("reasoning_effort") ? String.valueOf(params.get("reasoning_effort"))
                : params.containsKey("reasoning") ? String.valueOf(params.get("reasoning")) : null;
        return new ChatRequest(model, messages, stream ? Boolean.TRUE : null, stream ? new StreamOptions(true) : null,
                params.get("temperature"), params.get("top_p"), params.get("max_tokens"), params.get("stop"),
                params.get("presence_penalty"), params.get("frequency_penalty"), params.get("seed"),
                params.get("response_format"), params.get("tools"), params.get("tool_choice"), reasoning, params.get("thinking"));
    }
}
