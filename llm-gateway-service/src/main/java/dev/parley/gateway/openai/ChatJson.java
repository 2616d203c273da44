package dev.parley.gateway.openai;


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
        return "chatcmpl-" + dev.parley.platform.http.Uuids.v7().toString().replace("-", "");
    }

    /**
     * Fills what OpenAI's {@code CreateChatCompletionResponse} requires; keeps every other field as the provider sent
     * it. Answers whether anything changed (when nothing did, the provider's bytes can be sent as they came).
     */
    public static boolean normalizeCompletion(ObjectNode c, String fallbackModel) {
        boolean changed = header(c, "chat.completion", fallbackModel);
        JsonNode choices = c.get("choices");
        if (choices == null || !choices.isArray()) {
            choices = c.putArray("choices");
            changed = true;
        }
        int i = 0;
        for (JsonNode n : choices) {
            if (!(n instanceof ObjectNode choice)) {
                continue;
            }
            if (!choice.path("index").isIntegralNumber()) {
                choice.put("index", i);
                changed = true;
            }
            if (!choice.hasNonNull("finish_reason")) {
                choice.put("finish_reason", choice.path("message").path("tool_calls").isEmpty() ? "stop" : "tool_calls");
                changed = true;
            }
            if (!choice.has("logprobs")) {
                choice.putNull("logprobs");
                changed = true;
            }
            JsonNode m = choice.get("message");
            ObjectNode message;
            if (m instanceof ObjectNode o) {
                message = o;
            } else {
                message = choice.putObject("message");
                changed = true;
            }
            if (!message.hasNonNull("role")) {
                message.put("role", "assistant");
                changed = true;
            }
            if (!message.has("content")) {
                message.putNull("content");
                changed = true;
            }
            if (!message.has("refusal")) {
                message.putNull("refusal");
                changed = true;
            }
            changed |= reasoningContent(message);
            i++;
        }
        if (c.has("usage") && c.get("usage").isNull()) {
            c.remove("usage");
            changed = true;
        }
        return changed;
    }

    /**
     * One name for a model's reasoning, whoever produced it: {@code reasoning_content} (as DeepSeek, llama.cpp, older
     * vLLM and the gateway's Anthropic and Gemini translations say it). Ollama, Groq, OpenRouter and newer vLLM say
     * {@code reasoning}: moved. True when it moved.
     */
    static boolean reasoningContent(ObjectNode messageOrDelta) {
        JsonNode reasoning = messageOrDelta.get("reasoning");
        if (reasoning == null || !reasoning.isTextual()) {
            return false;
        }
        messageOrDelta.remove("reasoning");
        if (!messageOrDelta.hasNonNull("reasoning_content")) {
            messageOrDelta.put("reasoning_content", reasoning.asText());
        }
        return true;
    }

    /** id, object, created and model as the spec requires them; true when something was filled in. */
    private static boolean header(ObjectNode c, String object, String fallbackModel) {
        boolean changed = false;
        if (!c.path("id").isTextual()) {
            c.put("id", newCompletionId());
            changed = true;
        }
        if (!object.equals(c.path("object").asText(null))) {
            c.put("object", object);
            changed = true;
        }
        if (!c.path("created").isIntegralNumber()) {
            c.put("created", c.path("created").canConvertToLong() ? c.path("created").asLong() : System.currentTimeMillis() / 1000);
            changed = true;
        }
        if (!c.path("model").isTextual()) {
            c.put("model", fallbackModel);
            changed = true;
        }
        if (c.has("system_fingerprint") && c.get("system_fingerprint").isNull()) {
            // Some providers send it as null, which OpenAI's description does not allow.
            c.remove("system_fingerprint");
            changed = true;
        }
        return changed;
    }

    /**
     * Fills what OpenAI's {@code CreateChatCompletionStreamResponse} requires. {@code seenChoices} tracks which choice
     * indexes already had a chunk, so the first chunk of each carries {@code role}. Answers whether anything changed.
     */
    public static boolean normalizeChunk(ObjectNode c, String fallbackModel, java.util.BitSet seenChoices) {
        boolean changed = header(c, "chat.completion.chunk", fallbackModel);
        JsonNode choices = c.get("choices");
        if (choices == null || !choices.isArray()) {
            choices = c.putArray("choices");
            changed = true;
        }
        for (JsonNode n : choices) {
            if (!(n instanceof ObjectNode choice)) {
                continue;
            }
            int index = choice.path("index").asInt(0);
            if (!choice.path("index").isIntegralNumber()) {
                choice.put("index", index);
                changed = true;
            }
            JsonNode d = choice.get("delta");
            ObjectNode delta;
            if (d instanceof ObjectNode o) {
                delta = o;
            } else {
                delta = choice.putObject("delta");
                changed = true;
            }
            if (!choice.has("finish_reason")) {
                choice.putNull("finish_reason");
                changed = true;
            }
            changed |= reasoningContent(delta);
            if (index >= 0 && index < 4096 && !seenChoices.get(index)) {
                seenChoices.set(index);
                if (!delta.hasNonNull("role")) {
                    delta.put("role", "assistant");
                    changed = true;
                }
            }
        }
        return changed;
    }

    /** Fills what OpenAI's {@code CreateEmbeddingResponse} requires; answers whether anything changed. */
    public static boolean normalizeEmbeddings(ObjectNode e, String fallbackModel) {
        boolean changed = false;
        if (!"list".equals(e.path("object").asText(null))) {
            e.put("object", "list");
            changed = true;
        }
        if (!e.path("model").isTextual()) {
            e.put("model", fallbackModel);
            changed = true;
        }
        int i = 0;
        for (JsonNode n : e.path("data")) {
            if (n instanceof ObjectNode item) {
                if (!"embedding".equals(item.path("object").asText(null))) {
                    item.put("object", "embedding");
                    changed = true;
                }
                if (!item.path("index").isIntegralNumber()) {
                    item.put("index", i);
                    changed = true;
                }
            }
            i++;
        }
        JsonNode u = e.get("usage");
        ObjectNode usage;
        if (u instanceof ObjectNode o) {
            usage = o;
        } else {
            usage = e.putObject("usage");
            changed = true;
        }
        if (!usage.has("prompt_tokens")) {
            usage.put("prompt_tokens", 0);
            changed = true;
        }
        if (!usage.has("total_tokens")) {
            usage.put("total_tokens", usage.path("prompt_tokens").asLong());
            changed = true;
        }
        return changed;
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
