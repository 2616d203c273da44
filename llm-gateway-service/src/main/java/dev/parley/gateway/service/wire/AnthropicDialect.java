package dev.parley.gateway.service.wire;

import static dev.parley.gateway.openai.OpenAiShapes.JSON;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.OpenAiShapes;
import io.vertx.core.MultiMap;

/**
 * Anthropic's Messages API ({@code POST /v1/messages}, API version 2023-06-01) behind OpenAI's chat completions.
 * System and developer messages become {@code system}; tool calls become {@code tool_use} blocks and tool messages
 * {@code tool_result} blocks (consecutive ones in one user turn, as parallel tool use requires); images and PDFs
 * become image and document blocks; {@code reasoning_effort} turns on extended thinking, whose text comes back as
 * {@code reasoning_content}. Usage counts cache reads and writes into {@code prompt_tokens} as OpenAI does.
 */
public final class AnthropicDialect implements Dialect {
    public static final String API_VERSION = "2023-06-01";
    /** Anthropic requires {@code max_tokens}; this is used when the request sets none. */
    public static final long DEFAULT_MAX_TOKENS = 4096;


    @Override
    public String path(String model, boolean stream, boolean embeddings) {
        return "/messages";
    }

    @Override
    public void authenticate(MultiMap headers, String apiKey) {
        if (apiKey != null && !apiKey.isEmpty()) {
            headers.add("x-api-key", apiKey);
        }
        headers.add("anthropic-version", API_VERSION);
    }

    // ---- request -----------------------------------------------------------------------------------------------

    @Override
    public ObjectNode request(ObjectNode req, String model, boolean stream, boolean embeddings) {
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
        JsonNode thinking = req.get("thinking");
        String effort = req.path("reasoning_effort").asText(null);
        long budget = 0;
        if (thinking instanceof ObjectNode t) {
            out.set("thinking", t);
            budget = t.path("budget_tokens").asLong(0);
        } else if (effort != null && !"none".equals(effort)) {
            budget = switch (effort) {
                case "minimal", "low" -> 1024;
                case "medium" -> 4096;
                case "high" -> 16384;
                default -> throw OpenAiException.invalid("reasoning_effort", "reasoning_effort must be minimal, low, medium or high.");
            };
            out.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
        }
        if (max == 0) {
            max = DEFAULT_MAX_TOKENS;
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

    // ---- answers -----------------------------------------------------------------------------------------------

    @Override
    public ObjectNode completion(JsonNode answer, String model) {
        if (!"message".equals(answer.path("type").asText()) || !answer.path("content").isArray()) {
            throw badAnswer();
        }
        ObjectNode c = OpenAiShapes.completion(completionId(answer.path("id").asText(null)), OpenAiShapes.now(),
                answer.path("model").asText(model));
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode calls = JSON.arrayNode();
        for (JsonNode block : answer.get("content")) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText(""));
                case "thinking" -> reasoning.append(block.path("thinking").asText(""));
                case "tool_use" -> calls.add(OpenAiShapes.toolCall(block.path("id").asText(), block.path("name").asText(),
                        block.path("input").isMissingNode() ? "{}" : block.get("input").toString()));
                default -> { } // redacted thinking, server tool blocks: nothing OpenAI's shape can carry
            }
        }
        String stop = answer.path("stop_reason").asText("end_turn");
        ObjectNode message = OpenAiShapes.message(text.isEmpty() && !calls.isEmpty() ? null : text.toString(),
                "refusal".equals(stop) && text.isEmpty() ? "The model declined to answer (stop_reason refusal)." : null);
        if (!calls.isEmpty()) {
            message.set("tool_calls", calls);
        }
        if (!reasoning.isEmpty()) {
            message.put("reasoning_content", reasoning.toString());
        }
        ((ArrayNode) c.get("choices")).add(OpenAiShapes.choice(0, message, finishReason(stop)));
        c.set("usage", usage(answer.path("usage"), 0, 0, 0, 0));
        return c;
    }

    static String finishReason(String stopReason) {
        return switch (stopReason == null ? "" : stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop"; // end_turn, stop_sequence, pause_turn
        };
    }

    private static String completionId(String messageId) {
        return messageId == null || messageId.isBlank() ? dev.parley.gateway.openai.ChatJson.newCompletionId() : messageId;
    }

    /** Anthropic's {@code input_tokens} exclude cache reads and writes; OpenAI's {@code prompt_tokens} include them. */
    private static ObjectNode usage(JsonNode u, long input, long cacheRead, long cacheWrite, long output) {
        long in = u.path("input_tokens").asLong(input);
        long read = u.path("cache_read_input_tokens").asLong(cacheRead);
        long write = u.path("cache_creation_input_tokens").asLong(cacheWrite);
        long out = u.path("output_tokens").asLong(output);
        return OpenAiShapes.usage(in + read + write, out, read, 0);
    }

    @Override
    public long cacheWriteTokens(JsonNode answer) {
        return answer.path("usage").path("cache_creation_input_tokens").asLong(0);
    }

    @Override
    public ObjectNode embeddings(JsonNode answer, ObjectNode openAiRequest, String model) {
        throw OpenAiException.invalid("model", "Anthropic has no embeddings API.");
    }

    private static OpenAiException badAnswer() {
        return new OpenAiException(502, "server_error", "upstream_bad_answer", null,
                "The provider anthropic answered with something that is not a message.");
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    @Override
    public OpenAiException error(int status, JsonNode body, long retryAfterMs) {
        JsonNode err = body == null ? null : body.path("error");
        String type = err == null ? "" : err.path("type").asText("");
        String message = err == null ? null : err.path("message").asText(null);
        return errorOf(status, type, message, retryAfterMs);
    }

    static OpenAiException errorOf(int status, String type, String message, long retryAfterMs) {
        String text = message == null || message.isBlank() ? "The provider anthropic answered HTTP " + status + "." : "anthropic: " + message;
        Long retry = retryAfterMs >= 0 ? Math.max(1, (retryAfterMs + 999) / 1000) : null;
        if ("overloaded_error".equals(type) || status == 529) {
            return new OpenAiException(503, "server_error", "overloaded", null, text, retry != null ? retry : 1L);
        }
        if ("rate_limit_error".equals(type) || status == 429) {
            return new OpenAiException(429, "rate_limit_error", "rate_limit_exceeded", null, text, retry != null ? retry : 1L);
        }
        if ("authentication_error".equals(type) || status == 401) {
            return new OpenAiException(401, "authentication_error", "invalid_api_key", null, text);
        }
        if ("permission_error".equals(type) || status == 403) {
            return new OpenAiException(403, "permission_error", "permission_denied", null, text);
        }
        if ("not_found_error".equals(type) || status == 404) {
            return new OpenAiException(404, "invalid_request_error", "model_not_found", "model", text);
        }
        if ("request_too_large".equals(type) || status == 413) {
            return new OpenAiException(413, "invalid_request_error", "request_too_large", null, text);
        }
        if (status >= 500 || "api_error".equals(type)) {
            return new OpenAiException(502, "server_error", "upstream_error", null, text);
        }
        return new OpenAiException(400, "invalid_request_error", "invalid_request", null, text);
    }

    // ---- streams -----------------------------------------------------------------------------------------------

    @Override
    public StreamTranslator stream(String model) {
        return new Stream(model);
    }

    /** message_start … content_block_start/delta/stop … message_delta … message_stop, as OpenAI chunks. */
    static final class Stream implements StreamTranslator {
        private String id = dev.parley.gateway.openai.ChatJson.newCompletionId();
        private final long created = OpenAiShapes.now();
        private String model;
        private long input;
        private long cacheRead;
        private long cacheWrite;
        private long output;
        private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
        private boolean done;

        Stream(String model) {
            this.model = model;
        }

        @Override
        public List<ObjectNode> onEvent(JsonNode e) {
            String type = e.path("type").asText("");
            switch (type) {
                case "message_start" -> {
                    JsonNode m = e.path("message");
                    id = completionId(m.path("id").asText(null));
                    model = m.path("model").asText(model);
                    readUsage(m.path("usage"));
                    // No chunk yet: the first content carries the role, so an error before it can still be retried.
                    return OpenAiShapes.none();
                }
                case "content_block_start" -> {
                    JsonNode block = e.path("content_block");
                    int index = e.path("index").asInt();
                    switch (block.path("type").asText()) {
                        case "tool_use" -> {
                            int tool = toolIndexByBlock.size();
                            toolIndexByBlock.put(index, tool);
                            JsonNode in = block.path("input");
                            String args = in.isObject() && !in.isEmpty() ? in.toString() : "";
                            ObjectNode call = OpenAiShapes.toolCall(block.path("id").asText(), block.path("name").asText(), args);
                            call.put("index", tool);
                            ObjectNode d = OpenAiShapes.delta();
                            d.putArray("tool_calls").add(reorder(call));
                            return List.of(chunk(d, null));
                        }
                        case "text" -> {
                            String text = block.path("text").asText("");
                            return text.isEmpty() ? OpenAiShapes.none() : List.of(chunk(OpenAiShapes.delta().put("content", text), null));
                        }
                        case "thinking" -> {
                            String text = block.path("thinking").asText("");
                            return text.isEmpty() ? OpenAiShapes.none() : List.of(chunk(OpenAiShapes.delta().put("reasoning_content", text), null));
                        }
                        default -> {
                            return OpenAiShapes.none();
                        }
                    }
                }
                case "content_block_delta" -> {
                    JsonNode d = e.path("delta");
                    int index = e.path("index").asInt();
                    switch (d.path("type").asText()) {
                        case "text_delta" -> {
                            return List.of(chunk(OpenAiShapes.delta().put("content", d.path("text").asText("")), null));
                        }
                        case "thinking_delta" -> {
                            return List.of(chunk(OpenAiShapes.delta().put("reasoning_content", d.path("thinking").asText("")), null));
                        }
                        case "input_json_delta" -> {
                            Integer tool = toolIndexByBlock.get(index);
                            String partial = d.path("partial_json").asText("");
                            if (tool == null || partial.isEmpty()) {
                                return OpenAiShapes.none();
                            }
                            ObjectNode delta = OpenAiShapes.delta();
                            ObjectNode call = delta.putArray("tool_calls").addObject();
                            call.put("index", tool);
                            call.putObject("function").put("arguments", partial);
                            return List.of(chunk(delta, null));
                        }
                        default -> {
                            return OpenAiShapes.none(); // signature_delta, citations_delta
                        }
                    }
                }
                case "message_delta" -> {
                    readUsage(e.path("usage"));
                    String stop = e.path("delta").path("stop_reason").asText(null);
                    return stop == null ? OpenAiShapes.none() : List.of(chunk(OpenAiShapes.delta(), finishReason(stop)));
                }
                case "message_stop" -> {
                    done = true;
                    return List.of(OpenAiShapes.usageChunk(id, created, model,
                            OpenAiShapes.usage(input + cacheRead + cacheWrite, output, cacheRead, 0)));
                }
                case "error" -> {
                    JsonNode err = e.path("error");
                    throw errorOf(err.path("type").asText("").equals("overloaded_error") ? 529 : 502,
                            err.path("type").asText(""), err.path("message").asText(null), -1);
                }
                default -> {
                    return OpenAiShapes.none(); // ping and event types added later
                }
            }
        }

        private void readUsage(JsonNode u) {
            input = u.path("input_tokens").asLong(input);
            cacheRead = u.path("cache_read_input_tokens").asLong(cacheRead);
            cacheWrite = u.path("cache_creation_input_tokens").asLong(cacheWrite);
            output = u.path("output_tokens").asLong(output);
        }

        /** OpenAI's tool-call delta lists index first. */
        private static ObjectNode reorder(ObjectNode call) {
            ObjectNode out = JSON.objectNode();
            out.set("index", call.get("index"));
            out.set("id", call.get("id"));
            out.set("type", call.get("type"));
            out.set("function", call.get("function"));
            return out;
        }

        private ObjectNode chunk(ObjectNode delta, String finish) {
            return OpenAiShapes.chunk(id, created, model, 0, delta, finish);
        }

        @Override
        public List<ObjectNode> end() {
            return OpenAiShapes.none();
        }

        @Override
        public boolean complete() {
            return done;
        }

        @Override
        public long cacheWriteTokens() {
            return cacheWrite;
        }
    }
}
