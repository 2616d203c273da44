package dev.parley.session.client;

import java.util.List;

/**
 * One chunk of a streamed {@code /v1/chat/completions} (its first choice), any part of which may be absent: a piece of
 * the text, a piece of the reasoning, fragments of tool calls, why it stopped, the token counts (the last chunk, with
 * {@code stream_options.include_usage}), or the error that broke the stream off.
 */
public record ChatDelta(String content, String reasoning, List<ToolCallDelta> toolCalls, String finishReason,
                        ChatCompletion.Usage usage, Error error) {

    /**
     * A fragment of tool call number {@code index}: its first fragment carries {@code id} and {@code name}; the
     * {@code arguments} of all its fragments, concatenated, are the call's JSON arguments.
     */
    public record ToolCallDelta(int index, String id, String name, String arguments) { }

    /** An error chunk ({@code {"error":{"code","message"}}}); the code upper-cased, either may be null. */
    public record Error(String code, String message) { }
}
