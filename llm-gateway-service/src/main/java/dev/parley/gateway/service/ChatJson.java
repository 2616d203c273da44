package dev.parley.gateway.service;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The shape rules of OpenAI's chat answers, applied to what any OpenAI-compatible server returns so that every
 * answer and chunk the gateway sends validates against OpenAI's API description: required fields present, fields the
 * spec requires but allows to be null sent as {@code null}, the role in a choice's first chunk.
 */
public final class ChatJson {
    private ChatJson() { }

    /** The text of a message's content: a string, or the text parts of a content-part array joined by newlines. */
    public static String text(JsonNode content) {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText()) && part.hasNonNull("text")) {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(part.get("text").asText());
            }
        }
        return sb.toString();
    }

    /** Image parts in a request's messages (metered as {@code images}). */
    public static int countImages(JsonNode messages) {
        int n = 0;
        for (JsonNode m : messages) {
            JsonNode content = m.path("content");
            if (content.isArray()) {
                for (JsonNode part : content) {
                    if ("image_url".equals(part.path("type").asText())) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    public static String newCompletionId() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    /** Fills what OpenAI's {@code CreateChatCompletionResponse} requires; keeps every other field as the provider sent it. */
    public static void normalizeCompletion(ObjectNode c, String fallbackModel) {
        if (!c.hasNonNull("id")) {
            c.put("id", newCompletionId());
        }
        c.put("object", "chat.completion");
        if (!c.path("created").isIntegralNumber()) {
            c.put("created", c.path("created").canConvertToLong() ? c.path("created").asLong() : System.currentTimeMillis() / 1000);
        }
        if (!c.hasNonNull("model")) {
            c.put("model", fallbackModel);
        }
        JsonNode choices = c.get("choices");
        if (choices == null || !choices.isArray()) {
            choices = c.putArray("choices");
        }
        int i = 0;
        for (JsonNode n : choices) {
            if (!(n instanceof ObjectNode choice)) {
                continue;
            }
            if (!choice.path("index").isIntegralNumber()) {
                choice.put("index", i);
            }
            if (!choice.hasNonNull("finish_reason")) {
                choice.put("finish_reason", choice.path("message").path("tool_calls").isEmpty() ? "stop" : "tool_calls");
            }
            if (!choice.has("logprobs")) {
                choice.putNull("logprobs");
            }
            JsonNode m = choice.get("message");
            ObjectNode message = m instanceof ObjectNode o ? o : choice.putObject("message");
            if (!message.hasNonNull("role")) {
                message.put("role", "assistant");
            }
            if (!message.has("content")) {
                message.putNull("content");
            }
            if (!message.has("refusal")) {
                message.putNull("refusal");
            }
            i++;
        }
        dropNullUsage(c);
    }

    /**
     * Fills what OpenAI's {@code CreateChatCompletionStreamResponse} requires. {@code seenChoices} tracks which choice
     * indexes already had a chunk, so the first chunk of each carries {@code role}.
     */
    public static void normalizeChunk(ObjectNode c, String fallbackModel, java.util.BitSet seenChoices) {
        if (!c.hasNonNull("id")) {
            c.put("id", newCompletionId());
        }
        c.put("object", "chat.completion.chunk");
        if (!c.path("created").isIntegralNumber()) {
            c.put("created", c.path("created").canConvertToLong() ? c.path("created").asLong() : System.currentTimeMillis() / 1000);
        }
        if (!c.hasNonNull("model")) {
            c.put("model", fallbackModel);
        }
        JsonNode choices = c.get("choices");
        if (choices == null || !choices.isArray()) {
            choices = c.putArray("choices");
        }
        dropNullFingerprint(c);
        for (JsonNode n : choices) {
            if (!(n instanceof ObjectNode choice)) {
                continue;
            }
            int index = choice.path("index").asInt(0);
            if (!choice.path("index").isIntegralNumber()) {
                choice.put("index", index);
            }
            JsonNode d = choice.get("delta");
            ObjectNode delta = d instanceof ObjectNode o ? o : choice.putObject("delta");
            if (!choice.has("finish_reason")) {
                choice.putNull("finish_reason");
            }
            if (index >= 0 && index < 4096 && !seenChoices.get(index)) {
                seenChoices.set(index);
                if (!delta.hasNonNull("role")) {
                    delta.put("role", "assistant");
                }
            }
        }
    }

    /** Fills what OpenAI's {@code CreateEmbeddingResponse} requires. */
    public static void normalizeEmbeddings(ObjectNode e, String fallbackModel) {
        e.put("object", "list");
        if (!e.hasNonNull("model")) {
            e.put("model", fallbackModel);
        }
        int i = 0;
        for (JsonNode n : e.path("data")) {
            if (n instanceof ObjectNode item) {
                item.put("object", "embedding");
                if (!item.has("index")) {
                    item.put("index", i);
                }
            }
            i++;
        }
        JsonNode u = e.get("usage");
        ObjectNode usage = u instanceof ObjectNode o ? o : e.putObject("usage");
        if (!usage.has("prompt_tokens")) {
            usage.put("prompt_tokens", 0);
        }
        if (!usage.has("total_tokens")) {
            usage.put("total_tokens", usage.path("prompt_tokens").asLong());
        }
    }

    /** {@code usage} of a completion or chunk, or null. */
    public static JsonNode usage(JsonNode c) {
        JsonNode u = c.get("usage");
        return u != null && u.isObject() ? u : null;
    }

    /** A chunk that only carries usage ({@code "choices":[]}), sent last when {@code include_usage} is set. */
    public static boolean isUsageOnlyChunk(ObjectNode c) {
        JsonNode choices = c.get("choices");
        return usage(c) != null && choices != null && choices.isArray() && choices.isEmpty();
    }

    private static void dropNullUsage(ObjectNode c) {
        if (c.has("usage") && c.get("usage").isNull()) {
            c.remove("usage");
        }
        dropNullFingerprint(c);
    }

    /** Some providers send {@code "system_fingerprint": null}, which OpenAI's description does not allow. */
    static void dropNullFingerprint(ObjectNode c) {
        if (c.has("system_fingerprint") && c.get("system_fingerprint").isNull()) {
            c.remove("system_fingerprint");
        }
    }

    /** The text a stream chunk adds (all choices), for counting when the provider sends no usage. */
    public static void appendDeltaText(ObjectNode chunk, StringBuilder out) {
        JsonNode choices = chunk.get("choices");
        if (choices instanceof ArrayNode arr) {
            for (JsonNode ch : arr) {
                JsonNode delta = ch.get("delta");
                if (delta == null) {
                    continue;
                }
                JsonNode content = delta.get("content");
                if (content != null && content.isTextual()) {
                    out.append(content.asText());
                }
                for (JsonNode call : delta.path("tool_calls")) {
                    out.append(call.path("function").path("arguments").asText(""));
                }
            }
        }
    }
}
