package dev.parley.session.client;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A non-streamed answer of the gateway's {@code /v1/chat/completions} (its first choice): the text ({@code null} when
 * the model only asked for tools), the provider's reasoning text kept apart, why it stopped, the token counts, and
 * the tool calls the model asks for ({@code message.tool_calls}; empty when none).
 */
public record ChatCompletion(String content, String reasoning, String finishReason, Usage usage, List<ToolCall> toolCalls) {

    /** One call the model asks for: {@code arguments} is the JSON text the model wrote (not checked here). */
    public record ToolCall(String id, String type, String name, String arguments) { }

    /** OpenAI's {@code usage} object; the details maps as the gateway sent them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Usage(Integer promptTokens, Integer completionTokens, Integer totalTokens,
                        Map<String, Object> promptTokensDetails, Map<String, Object> completionTokensDetails) { }
}
