package dev.parley.gateway.provider;

import static dev.parley.gateway.openai.OpenAiShapes.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.OpenAiShapes;
import dev.parley.gateway.openai.Thinking;

/** OpenAI chat requests as Anthropic Messages API requests (see {@link AnthropicProvider}). */
final class AnthropicRequests {

    /** Anthropic's smallest extended-thinking budget. */
    static final long MIN_THINKING_BUDGET = 1024;

    private AnthropicRequests() { }

    static ObjectNode of(ObjectNode req, String model, boolean stream, boolean embeddings) {
        if (embeddings) {
            throw OpenAiException.invalid("model", "Anthropic has no embeddings API: use an OpenAI, Gemini or local embedding model.");
        }
        if (req.path("n").asInt(1) != 1) {
            throw OpenAiException.invalid("n", "Anthropic models answer one choice per request: n must be 1.");
        }
        String format = req.path("response_format").path("type").asText("text");
        if (!"text".equals(format)) {
            throw OpenAiException.invalid("response_format", "response_format " + format
                    + " is not available for Anthropic models through this gateway; describe the JSON in the prompt or use a tool.");
        }
        ObjectNode out = JSON.objectNode();
        out.put("model", model);
        long max = OpenAiShapes.maxTokens(req);
        ArrayNode system = JSON.arrayNode();
        out.set("messages", messages(req.path("messages"), system));
        if (!system.isEmpty()) {
            out.set("system", system);
        }
        long budget = thinkingBudget(req);
        if (budget > 0) {
            out.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
        }
        if (max == 0) {
            max = AnthropicProvider.DEFAULT_MAX_TOKENS;
        }
        if (budget > 0 && max <= budget) {
            max += budget; // Anthropic counts thinking inside max_tokens: keep room for the answer itself
        }
        out.put("max_tokens", max);
        OpenAiShapes.copyNumber(req, "temperature", out, "temperature");
        OpenAiShapes.copyNumber(req, "top_p", out, "top_p");
        OpenAiShapes.copyNumber(req, "top_k", out, "top_k");
        ArrayNode stops = OpenAiShapes.stops(req);
        if (stops != null && !stops.isEmpty()) {
            out.set("stop_sequences", stops);
        }
        if (req.path("user").isTextual()) {
            out.putObject("metadata").put("user_id", req.get("user").asText());
        }
        tools(req, out);
        if (stream) {
            out.put("stream", true);
        }
        return out;
    }

    /**
     * Extended thinking's budget, 0 for none: {@code thinking}'s own, else the level of {@code reasoning_effort}
     * (minimal/low 1024, medium 4096, high 16384; {@code thinking: true} without either: medium). Anthropic's rule:
     * at least 1024 and less than {@code max_tokens}, which counts the thinking too (the caller raises it).
     */
    private static long thinkingBudget(ObjectNode req) {
        JsonNode thinking = req.get(Thinking.FIELD);
        if (thinking != null && !Thinking.enabled(thinking)) {
            return 0;
        }
        if (thinking != null && Thinking.budget(thinking) > 0) {
            long budget = Thinking.budget(thinking);
            if (budget < MIN_THINKING_BUDGET) {
                throw OpenAiException.invalid(Thinking.FIELD, "thinking.budget_tokens must be at least "
                        + MIN_THINKING_BUDGET + " for Anthropic models.");
            }
            return budget;
        }
        String effort = req.path("reasoning_effort").asText(thinking != null ? "medium" : null);
        if (effort == null || "none".equals(effort)) {
            return 0;
        }
        return switch (effort) {
            case "minimal", "low" -> 1024;
            case "medium" -> 4096;
            case "high" -> 16384;
            default -> throw OpenAiException.invalid("reasoning_effort", "reasoning_effort must be minimal, low, medium or high.");
        };
    }

    private static ArrayNode messages(JsonNode messages, ArrayNode system) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw OpenAiException.invalid("messages", "messages must be a non-empty array.");
        }
        ArrayNode out = JSON.arrayNode();
        int i = 0;
        for (JsonNode m : messages) {
            String param = "messages[" + i + "]";
            String role = m.path("role").asText("");
            JsonNode content = m.get("content");
            switch (role) {
                case "system", "developer" -> {
                    if (content != null && content.isArray()) {
                        for (JsonNode part : content) {
                            if ("text".equals(part.path("type").asText())) {
                                system.add(textBlock(part));
                            }
                        }
                    } else {
                        String text = OpenAiShapes.text(content);
                        if (!text.isEmpty()) {
                            system.addObject().put("type", "text").put("text", text);
                        }
                    }
                }
                case "user" -> append(out, "user", contentBlocks(content, param));
                case "assistant" -> {
                    ArrayNode blocks = JSON.arrayNode();
                    if (content != null && content.isArray()) {
                        for (JsonNode part : content) {
                            if ("text".equals(part.path("type").asText()) && !part.path("text").asText("").isEmpty()) {
                                blocks.add(textBlock(part));
                            }
                        }
                    } else {
                        String text = OpenAiShapes.text(content);
                        if (!text.isEmpty()) {
                            blocks.addObject().put("type", "text").put("text", text);
                        }
                    }
                    int j = 0;
                    for (JsonNode call : m.path("tool_calls")) {
                        ObjectNode use = blocks.addObject();
                        use.put("type", "tool_use");
                        use.put("id", call.path("id").asText());
                        use.put("name", call.path("function").path("name").asText());
                        use.set("input", OpenAiShapes.arguments(call.path("function").path("arguments"), param + ".tool_calls[" + j + "]"));
                        j++;
                    }
                    if (!blocks.isEmpty()) {
                        append(out, "assistant", blocks);
                    }
                }
                case "tool" -> {
                    String id = m.path("tool_call_id").asText(null);
                    if (id == null || id.isBlank()) {
                        throw OpenAiException.invalid(param + ".tool_call_id", "A tool message needs tool_call_id.");
                    }
                    ObjectNode result = JSON.objectNode();
                    result.put("type", "tool_result");
                    result.put("tool_use_id", id);
                    if (content != null && content.isArray()) {
                        result.set("content", contentBlocks(content, param));
                    } else {
                        result.put("content", OpenAiShapes.text(content));
                    }
                    ArrayNode blocks = JSON.arrayNode();
                    blocks.add(result);
                    append(out, "user", blocks);
                }
                default -> throw OpenAiException.invalid(param + ".role",
                        "Role '" + role + "' is not supported for Anthropic models: use system, developer, user, assistant or tool.");
            }
            i++;
        }
        if (out.isEmpty()) {
            throw OpenAiException.invalid("messages", "Anthropic models need at least one user or assistant message.");
        }
        return out;
    }

    /** Consecutive messages of one role form one turn (parallel tool results must share one user turn). */
    private static void append(ArrayNode out, String role, ArrayNode blocks) {
        JsonNode last = out.isEmpty() ? null : out.get(out.size() - 1);
        if (last != null && role.equals(last.path("role").asText())) {
            ((ArrayNode) last.get("content")).addAll(blocks);
            return;
        }
        ObjectNode m = out.addObject();
        m.put("role", role);
        m.set("content", blocks);
    }

    private static ObjectNode textBlock(JsonNode part) {
        ObjectNode b = JSON.objectNode();
        b.put("type", "text");
        b.put("text", part.path("text").asText(""));
        if (part.has("cache_control")) {
            b.set("cache_control", part.get("cache_control")); // prompt caching, as Anthropic's own clients mark it
        }
        return b;
    }

    private static ArrayNode contentBlocks(JsonNode content, String param) {
        ArrayNode blocks = JSON.arrayNode();
        if (content == null || content.isNull()) {
            throw OpenAiException.invalid(param + ".content", "A user message needs content.");
        }
        if (content.isTextual()) {
            blocks.addObject().put("type", "text").put("text", content.asText());
            return blocks;
        }
        if (!content.isArray()) {
            throw OpenAiException.invalid(param + ".content", "content must be a string or an array of content parts.");
        }
        for (JsonNode part : content) {
            String type = part.path("type").asText("");
            switch (type) {
                case "text" -> blocks.add(textBlock(part));
                case "image_url" -> {
                    String url = OpenAiShapes.imageUrl(part, param + ".content");
                    ObjectNode image = blocks.addObject();
                    image.put("type", "image");
                    ObjectNode source = image.putObject("source");
                    String[] data = OpenAiShapes.dataUrl(url);
                    if (data != null) {
                        source.put("type", "base64").put("media_type", data[0]).put("data", data[1]);
                    } else {
                        source.put("type", "url").put("url", url);
                    }
                }
                case "file" -> {
                    String[] data = OpenAiShapes.dataUrl(part.path("file").path("file_data").asText(null));
                    if (data == null) {
                        throw OpenAiException.invalid(param + ".content",
                                "A file part needs file.file_data as a base64 data URL for Anthropic models.");
                    }
                    ObjectNode doc = blocks.addObject();
                    doc.put("type", "document");
                    doc.putObject("source").put("type", "base64").put("media_type", data[0]).put("data", data[1]);
                }
                default -> throw OpenAiException.invalid(param + ".content",
                        "Content part type '" + type + "' is not supported for Anthropic models.");
            }
        }
        return blocks;
    }

    private static void tools(ObjectNode req, ObjectNode out) {
        JsonNode tools = req.get("tools");
        boolean hasTools = tools != null && tools.isArray() && !tools.isEmpty();
        if (hasTools) {
            ArrayNode list = out.putArray("tools");
            int i = 0;
            for (JsonNode t : tools) {
                if (!"function".equals(t.path("type").asText("function"))) {
                    throw OpenAiException.invalid("tools[" + i + "].type", "Only function tools are supported for Anthropic models.");
                }
                JsonNode fn = t.path("function");
                String name = fn.path("name").asText("");
                if (name.isEmpty()) {
                    throw OpenAiException.invalid("tools[" + i + "].function.name", "A function tool needs a name.");
                }
                ObjectNode tool = list.addObject();
                tool.put("name", name);
                if (fn.path("description").isTextual()) {
                    tool.put("description", fn.get("description").asText());
                }
                JsonNode params = fn.get("parameters");
                tool.set("input_schema", params instanceof ObjectNode ? params
                        : JSON.objectNode().put("type", "object").set("properties", JSON.objectNode()));
                i++;
            }
        }
        JsonNode choice = req.get("tool_choice");
        ObjectNode tc = null;
        if (choice != null && choice.isTextual()) {
            tc = switch (choice.asText()) {
                case "auto" -> JSON.objectNode().put("type", "auto");
                case "none" -> JSON.objectNode().put("type", "none");
                case "required" -> JSON.objectNode().put("type", "any");
                default -> throw OpenAiException.invalid("tool_choice", "tool_choice must be auto, none, required or a function.");
            };
        } else if (choice != null && choice.isObject()) {
            String name = choice.path("function").path("name").asText("");
            if (name.isEmpty()) {
                throw OpenAiException.invalid("tool_choice", "tool_choice needs function.name.");
            }
            tc = JSON.objectNode().put("type", "tool").put("name", name);
        }
        if (!hasTools) {
            return;
        }
        if (req.path("parallel_tool_calls").isBoolean() && !req.get("parallel_tool_calls").asBoolean()) {
            if (tc == null) {
                tc = JSON.objectNode().put("type", "auto");
            }
            if (!"none".equals(tc.path("type").asText())) {
                tc.put("disable_parallel_tool_use", true);
            }
        }
        if (tc != null) {
            out.set("tool_choice", tc);
        }
    }
}
