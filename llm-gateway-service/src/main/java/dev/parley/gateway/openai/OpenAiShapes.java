package dev.parley.gateway.openai;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builders for the OpenAI objects the providers produce, complete as OpenAI's API description requires them. */
public final class OpenAiShapes {
    public static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    public static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    private OpenAiShapes() { }

    public static ObjectNode completion(String id, long created, String model) {
        ObjectNode c = JSON.objectNode();
        c.put("id", id);
        c.put("object", "chat.completion");
        c.put("created", created);
        c.put("model", model);
        c.putArray("choices");
        return c;
    }

    /** An assistant message with the fields the spec requires (content and refusal may be null). */
    public static ObjectNode message(String content, String refusal) {
        ObjectNode m = JSON.objectNode();
        m.put("role", "assistant");
        m.put("content", content);
        m.put("refusal", refusal);
        return m;
    }

    public static ObjectNode choice(int index, ObjectNode message, String finishReason) {
        ObjectNode ch = JSON.objectNode();
        ch.put("index", index);
        ch.set("message", message);
        ch.putNull("logprobs");
        ch.put("finish_reason", finishReason);
        return ch;
    }

    public static ObjectNode toolCall(String id, String name, String arguments) {
        ObjectNode call = JSON.objectNode();
        call.put("id", id);
        call.put("type", "function");
        ObjectNode fn = call.putObject("function");
        fn.put("name", name);
        fn.put("arguments", arguments);
        return call;
    }

    /** A stream chunk with one choice; {@code finishReason} null while the answer goes on. */
    public static ObjectNode chunk(String id, long created, String model, int index, ObjectNode delta, String finishReason) {
        ObjectNode c = JSON.objectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", model);
        ArrayNode choices = c.putArray("choices");
        ObjectNode ch = choices.addObject();
        ch.put("index", index);
        ch.set("delta", delta);
        ch.putNull("logprobs");
        ch.put("finish_reason", finishReason);
        return c;
    }

    /** The last chunk OpenAI sends when {@code stream_options.include_usage} is set: no choices, the usage. */
    public static ObjectNode usageChunk(String id, long created, String model, ObjectNode usage) {
        ObjectNode c = JSON.objectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", model);
        c.putArray("choices");
        c.set("usage", usage);
        return c;
    }

    /** OpenAI's usage: prompt tokens include cached ones, completion tokens include reasoning ones. */
    public static ObjectNode usage(long prompt, long completion, long cached, long reasoning) {
        ObjectNode u = JSON.objectNode();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        u.putObject("prompt_tokens_details").put("cached_tokens", cached);
        u.putObject("completion_tokens_details").put("reasoning_tokens", reasoning);
        return u;
    }

    public static ObjectNode delta() {
        return JSON.objectNode();
    }

    public static List<ObjectNode> none() {
        return List.of();
    }

    public static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** A data URL's media type and base64 payload, or null when {@code url} is not a base64 data URL. */
    public static String[] dataUrl(String url) {
        if (url == null || !url.startsWith("data:")) {
            return null;
        }
        int comma = url.indexOf(',');
        int semi = url.lastIndexOf(";base64", comma);
        if (comma < 0 || semi < 0) {
            return null;
        }
        return new String[] {url.substring(5, semi), url.substring(comma + 1)};
    }

    /** The URL of an {@code image_url} content part (an object with {@code url}, or the bare string). */
    public static String imageUrl(JsonNode part, String param) {
        JsonNode iu = part.path("image_url");
        String url = iu.isTextual() ? iu.asText() : iu.path("url").asText(null);
        if (url == null || url.isBlank()) {
            throw OpenAiException.invalid(param, "An image_url content part needs image_url.url.");
        }
        return url;
    }

    /** {@code max_completion_tokens}, else the older {@code max_tokens}; 0 when neither is set. */
    public static long maxTokens(ObjectNode req) {
        JsonNode m = req.get("max_completion_tokens");
        if (m == null || m.isNull()) {
            m = req.get("max_tokens");
        }
        if (m == null || m.isNull()) {
            return 0;
        }
        if (!m.canConvertToLong() || m.asLong() < 1) {
            throw OpenAiException.invalid("max_tokens", "max_tokens must be a positive integer.");
        }
        return m.asLong();
    }

    /** The stop sequences of a request ({@code stop}: a string or an array of strings), or null. */
    public static ArrayNode stops(ObjectNode req) {
        JsonNode stop = req.get("stop");
        if (stop == null || stop.isNull()) {
            return null;
        }
        ArrayNode out = JSON.arrayNode();
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw OpenAiException.invalid("stop", "stop must be a string or an array of strings.");
                }
                out.add(s.asText());
            }
        } else {
            throw OpenAiException.invalid("stop", "stop must be a string or an array of strings.");
        }
        return out;
    }

    /** A numeric request field copied under the provider's name; anything but a number is a 400. */
    public static void copyNumber(ObjectNode from, String name, ObjectNode to, String as) {
        JsonNode v = from.get(name);
        if (v != null && !v.isNull()) {
            if (!v.isNumber()) {
                throw OpenAiException.invalid(name, name + " must be a number.");
            }
            to.set(as, v);
        }
    }

    /** A tool call's {@code arguments} (a JSON object in a string) as an object; anything else is a 400. */
    public static JsonNode arguments(JsonNode arguments, String param) {
        String text = arguments.isTextual() ? arguments.asText() : arguments.isObject() ? arguments.toString() : "";
        if (text.isBlank()) {
            return JSON.objectNode();
        }
        try {
            JsonNode parsed = MAPPER.readTree(text);
            if (parsed instanceof ObjectNode) {
                return parsed;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // answered below
        }
        throw OpenAiException.invalid(param + ".function.arguments", "Tool call arguments must be a JSON object.");
    }

    public static String text(JsonNode content) {
        return ChatJson.text(content);
    }
}
