package dev.parley.gateway.rest;

import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.Thinking;

/**
 * The checks a {@code /v1} body passes before anything else happens: what OpenAI's API would refuse with a 400
 * ({@code invalid_request}, naming the {@code param}). Every field it does not check passes on to the provider.
 */
final class OpenAiRequests {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    private OpenAiRequests() { }

    /** A chat completions request's shape, as OpenAI checks it (the fields it does not check pass on). */
    static void validateChat(ObjectNode r) {
        requireModel(r);
        JsonNode messages = r.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw OpenAiException.invalid("messages", "'messages' must be a non-empty array.");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject() || !m.path("role").isTextual() || !ROLES.contains(m.get("role").asText())) {
                throw OpenAiException.invalid("messages[" + i + "].role",
                        "Each message needs a 'role': one of system, developer, user, assistant, tool.");
            }
            JsonNode content = m.get("content");
            if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
                throw OpenAiException.invalid("messages[" + i + "].content", "'content' must be a string or an array of content parts.");
            }
            if (content != null && content.isArray()) {
                for (int j = 0; j < content.size(); j++) {
                    if (!content.get(j).path("type").isTextual()) {
                        throw OpenAiException.invalid("messages[" + i + "].content[" + j + "].type", "Each content part needs a 'type'.");
                    }
                }
            }
        }
        optionalType(r, "stream", JsonNode::isBoolean, "a boolean");
        if (r.has("stream_options") && !r.get("stream_options").isNull() && !r.path("stream").asBoolean(false)) {
            throw OpenAiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true.");
        }
        range(r, "temperature", 0, 2);
        if (r.has(Thinking.FIELD)) { // one canonical form for every provider's translation
            ObjectNode thinking = Thinking.canonical(r.get(Thinking.FIELD));
            if (thinking == null) {
                r.remove(Thinking.FIELD);
            } else {
                r.set(Thinking.FIELD, thinking);
            }
        }
        range(r, "top_p", 0, 1);
        range(r, "presence_penalty", -2, 2);
        range(r, "frequency_penalty", -2, 2);
        range(r, "n", 1, 128);
        range(r, "max_tokens", 1, Integer.MAX_VALUE);
        range(r, "max_completion_tokens", 1, Integer.MAX_VALUE);
        optionalType(r, "tools", JsonNode::isArray, "an array");
        optionalType(r, "response_format", JsonNode::isObject, "an object");
        if (r.has("response_format") && r.get("response_format").isObject()) {
            String type = r.get("response_format").path("type").asText("");
            if (!Set.of("text", "json_object", "json_schema").contains(type)) {
                throw OpenAiException.invalid("response_format.type", "'response_format.type' must be text, json_object or json_schema.");
            }
        }
    }

    /** An embeddings request's shape. */
    static void validateEmbeddings(ObjectNode r) {
        requireModel(r);
        JsonNode input = r.get("input");
        boolean ok = input != null && ((input.isTextual() && !input.asText().isEmpty()) || (input.isArray() && !input.isEmpty()));
        if (ok && input.isArray()) {
            for (JsonNode item : input) {
                ok &= item.isTextual() || item.isInt() || item.isArray();
            }
        }
        if (!ok) {
            throw OpenAiException.invalid("input", "'input' must be a non-empty string or array of strings or token arrays.");
        }
        if (input.isArray() && input.size() > 2048) {
            throw OpenAiException.invalid("input", "'input' may hold at most 2048 items.");
        }
        if (r.has("encoding_format") && !Set.of("float", "base64").contains(r.get("encoding_format").asText())) {
            throw OpenAiException.invalid("encoding_format", "'encoding_format' must be float or base64.");
        }
        range(r, "dimensions", 1, 100_000);
    }

    private static void requireModel(ObjectNode r) {
        if (!r.path("model").isTextual() || r.get("model").asText().isBlank()) {
            throw OpenAiException.invalid("model", "'model' is required: a name such as openai/gpt-4o-mini or parley/echo.");
        }
    }

    private static void optionalType(ObjectNode r, String field, Predicate<JsonNode> ok, String what) {
        JsonNode v = r.get(field);
        if (v != null && !v.isNull() && !ok.test(v)) {
            throw OpenAiException.invalid(field, "'" + field + "' must be " + what + ".");
        }
    }

    private static void range(ObjectNode r, String field, double min, double max) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            throw OpenAiException.invalid(field, "'" + field + "' must be a number from " + fmt(min) + " to " + fmt(max) + ".");
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
