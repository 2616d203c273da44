package dev.parley.session.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * OpenAI's chat-completion JSON read into {@link ChatCompletion}, {@link ChatDelta} and {@link GatewayError}: the one
 * place that knows the wire shape. Read as a tree and tolerant as a proxy must be: a field of an unexpected type
 * counts as absent rather than failing the turn.
 */
final class ChatWire {
    private ChatWire() { }

    static ChatCompletion completion(JsonNode root, ObjectMapper mapper) {
        JsonNode choice = root.path("choices").path(0);
        JsonNode message = choice.path("message");
        List<ChatCompletion.ToolCall> calls = new ArrayList<>();
        for (JsonNode c : message.path("tool_calls")) {
            calls.add(new ChatCompletion.ToolCall(text(c, "id"), text(c, "type"), text(c.path("function"), "name"),
                    text(c.path("function"), "arguments")));
        }
        return new ChatCompletion(text(message, "content"), text(message, "reasoning_content"), text(choice, "finish_reason"),
                usage(root.path("usage"), mapper), List.copyOf(calls));
    }

    static ChatDelta delta(JsonNode chunk, ObjectMapper mapper) {
        if (chunk.has("error")) {
            JsonNode e = chunk.path("error");
            return new ChatDelta(null, null, List.of(), null, null, new ChatDelta.Error(code(e), text(e, "message")));
        }
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode delta = choice.path("delta");
        List<ChatDelta.ToolCallDelta> calls = new ArrayList<>();
        for (JsonNode c : delta.path("tool_calls")) {
            calls.add(new ChatDelta.ToolCallDelta(c.path("index").asInt(calls.size()), text(c, "id"),
                    text(c.path("function"), "name"), text(c.path("function"), "arguments")));
        }
        return new ChatDelta(text(delta, "content"), text(delta, "reasoning_content"), List.copyOf(calls),
                text(choice, "finish_reason"), usage(chunk.path("usage"), mapper), null);
    }

    /** The gateway's error answer ({@code {"error":{"code","message"}}}, OpenAI's shape); anything else: no code or message. */
    static GatewayError error(int status, byte[] body, String deployment, ObjectMapper mapper) {
        String code = null;
        String message = null;
        try {
            JsonNode err = mapper.readTree(body).path("error");
            code = code(err);
            message = text(err, "message");
        } catch (java.io.IOException | RuntimeException e) {
            // not JSON: the caller's generic words
        }
        return new GatewayError(status, code, message, deployment);
    }

    @SuppressWarnings("unchecked")
    private static ChatCompletion.Usage usage(JsonNode u, ObjectMapper mapper) {
        if (!u.isObject()) {
            return null;
        }
        return new ChatCompletion.Usage(integer(u, "prompt_tokens"), integer(u, "completion_tokens"), integer(u, "total_tokens"),
                u.path("prompt_tokens_details").isObject() ? mapper.convertValue(u.get("prompt_tokens_details"), Map.class) : null,
                u.path("completion_tokens_details").isObject() ? mapper.convertValue(u.get("completion_tokens_details"), Map.class) : null);
    }

    private static String code(JsonNode err) {
        return err.hasNonNull("code") ? err.get("code").asText().toUpperCase(Locale.ROOT) : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isNumber() ? v.asInt() : null;
    }
}
