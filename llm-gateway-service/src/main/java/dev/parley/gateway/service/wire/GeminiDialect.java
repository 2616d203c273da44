package dev.parley.gateway.service.wire;

import static dev.parley.gateway.openai.OpenAiShapes.JSON;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.OpenAiShapes;
import dev.parley.gateway.openai.TokenCounter;
import io.vertx.core.MultiMap;

/**
 * Google's Gemini API (v1beta: {@code models/{model}:generateContent}, {@code :streamGenerateContent?alt=sse},
 * {@code :batchEmbedContents}) behind OpenAI's chat completions and embeddings. The key travels in the
 * {@code x-goog-api-key} header, never in the URL. System messages become {@code systemInstruction}, tool calls
 * {@code functionCall} parts and tool messages {@code functionResponse} parts; safety blocks finish with
 * {@code content_filter} and say why in {@code refusal}; thought parts come back as {@code reasoning_content}.
 * A function call's {@code thoughtSignature}, which Gemini needs back on the next turn, rides in the tool call id.
 */
public final class GeminiDialect implements Dialect {
    public static final String API_KEY_HEADER = "x-goog-api-key";
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Separates a tool call id from the thought signature carried in it. */
    private static final String SIGNATURE = ".sig.";
    private static final ObjectMapper MAPPER = OpenAiShapes.MAPPER;
    private static final GeminiDialect INSTANCE = new GeminiDialect();

    @Override
    public String path(String model, boolean stream, boolean embeddings) {
        checkModel(model);
        if (embeddings) {
            return "/models/" + model + ":batchEmbedContents";
        }
        return "/models/" + model + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    }

    private static void checkModel(String model) {
        if (model == null || !MODEL.matcher(model).matches()) {
            throw OpenAiException.invalid("model", "A Gemini model name has letters, digits, '.', '_' and '-' only.");
        }
    }

    @Override
    public void authenticate(MultiMap headers, String apiKey) {
        if (apiKey != null && !apiKey.isEmpty()) {
            headers.add(API_KEY_HEADER, apiKey);
        }
    }

    // ---- requests ----------------------------------------------------------------------------------------------

    @Override
    public ObjectNode request(ObjectNode req, String model, boolean stream, boolean embeddings) {
        checkModel(model);
        return embeddings ? embedRequest(req, model) : chatRequest(req);
    }

    private static ObjectNode embedRequest(ObjectNode req, String model) {
        JsonNode input = req.get("input");
        List<String> texts = new ArrayList<>();
        if (input != null && input.isTextual()) {
            texts.add(input.asText());
        } else if (input != null && input.isArray() && !input.isEmpty()) {
            for (JsonNode item : input) {
                if (!item.isTextual()) {
                    throw OpenAiException.invalid("input", "Gemini embedding models take text: input must be a string or an array of strings.");
                }
                texts.add(item.asText());
            }
        } else {
            throw OpenAiException.invalid("input", "input must be a string or a non-empty array of strings.");
        }
        ObjectNode out = JSON.objectNode();
        ArrayNode requests = out.putArray("requests");
        for (String text : texts) {
            ObjectNode r = requests.addObject();
            r.put("model", "models/" + model);
            r.putObject("content").putArray("parts").addObject().put("text", text);
            if (req.path("dimensions").canConvertToInt()) {
                r.put("outputDimensionality", req.get("dimensions").asInt());
            }
        }
        return out;
    }

    private static ObjectNode chatRequest(ObjectNode req) {
        ObjectNode out = JSON.objectNode();
        ArrayNode system = JSON.arrayNode();
        out.set("contents", contents(req.path("messages"), system));
        if (!system.isEmpty()) {
            out.putObject("systemInstruction").set("parts", system);
        }
        ObjectNode gen = JSON.objectNode();
        OpenAiShapes.copyNumber(req, "temperature", gen, "temperature");
        OpenAiShapes.copyNumber(req, "top_p", gen, "topP");
        OpenAiShapes.copyNumber(req, "top_k", gen, "topK");
        OpenAiShapes.copyNumber(req, "presence_penalty", gen, "presencePenalty");
        OpenAiShapes.copyNumber(req, "frequency_penalty", gen, "frequencyPenalty");
        OpenAiShapes.copyNumber(req, "seed", gen, "seed");
        OpenAiShapes.copyNumber(req, "n", gen, "candidateCount");
        long max = OpenAiShapes.maxTokens(req);
        if (max > 0) {
            gen.put("maxOutputTokens", max);
        }
        ArrayNode stops = OpenAiShapes.stops(req);
        if (stops != null && !stops.isEmpty()) {
            gen.set("stopSequences", stops);
        }
        JsonNode format = req.get("response_format");
        String type = format == null ? "text" : format.path("type").asText("text");
        switch (type) {
            case "text" -> { }
            case "json_object" -> gen.put("responseMimeType", "application/json");
            case "json_schema" -> {
                gen.put("responseMimeType", "application/json");
                JsonNode schema = format.path("json_schema").path("schema");
                if (schema.isObject()) {
                    gen.set("responseJsonSchema", schema);
                }
            }
            default -> throw OpenAiException.invalid("response_format", "response_format must be text, json_object or json_schema.");
        }
        String effort = req.path("reasoning_effort").asText(null);
        if (effort != null) {
            int budget = switch (effort) {
                case "none", "minimal" -> 0;
                case "low" -> 1024;
                case "medium" -> 8192;
                case "high" -> 24576;
                default -> throw OpenAiException.invalid("reasoning_effort", "reasoning_effort must be none, minimal, low, medium or high.");
            };
            gen.putObject("thinkingConfig").put("thinkingBudget", budget).put("includeThoughts", budget > 0);
        }
        if (!gen.isEmpty()) {
            out.set("generationConfig", gen);
        }
        tools(req, out);
        return out;
    }

    private static ArrayNode contents(JsonNode messages, ArrayNode system) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw OpenAiException.invalid("messages", "messages must be a non-empty array.");
        }
        ArrayNode out = JSON.arrayNode();
        Map<String, String> toolNames = new HashMap<>();
        int i = 0;
        for (JsonNode m : messages) {
            String param = "messages[" + i + "]";
            String role = m.path("role").asText("");
            JsonNode content = m.get("content");
            switch (role) {
                case "system", "developer" -> {
                    String text = OpenAiShapes.text(content);
                    if (!text.isEmpty()) {
                        system.addObject().put("text", text);
                    }
                }
                case "user" -> append(out, "user", parts(content, param));
                case "assistant" -> {
                    ArrayNode parts = JSON.arrayNode();
                    String text = OpenAiShapes.text(content);
                    if (!text.isEmpty()) {
                        parts.addObject().put("text", text);
                    }
                    int j = 0;
                    for (JsonNode call : m.path("tool_calls")) {
                        String id = call.path("id").asText("");
                        String name = call.path("function").path("name").asText("");
                        toolNames.put(id, name);
                        ObjectNode part = parts.addObject();
                        ObjectNode fc = part.putObject("functionCall");
                        fc.put("name", name);
                        fc.set("args", OpenAiShapes.arguments(call.path("function").path("arguments"), param + ".tool_calls[" + j + "]"));
                        int sig = id.indexOf(SIGNATURE);
                        if (sig >= 0) {
                            part.put("thoughtSignature", id.substring(sig + SIGNATURE.length()));
                        }
                        j++;
                    }
                    if (!parts.isEmpty()) {
                        append(out, "model", parts);
                    }
                }
                case "tool" -> {
                    String id = m.path("tool_call_id").asText("");
                    String name = toolNames.get(id);
                    if (name == null) {
                        throw OpenAiException.invalid(param + ".tool_call_id",
                                "A tool message must answer a tool call of an earlier assistant message (unknown tool_call_id).");
                    }
                    ObjectNode fr = JSON.objectNode();
                    ObjectNode response = fr.putObject("functionResponse");
                    response.put("name", name);
                    response.set("response", toolResult(OpenAiShapes.text(content)));
                    ArrayNode parts = JSON.arrayNode();
                    parts.add(fr);
                    append(out, "user", parts);
                }
                default -> throw OpenAiException.invalid(param + ".role",
                        "Role '" + role + "' is not supported for Gemini models: use system, developer, user, assistant or tool.");
            }
            i++;
        }
        if (out.isEmpty()) {
            throw OpenAiException.invalid("messages", "Gemini models need at least one user or assistant message.");
        }
        return out;
    }

    /** A tool's output as the object Gemini wants: a JSON object as is, anything else under {@code result}. */
    private static JsonNode toolResult(String text) {
        try {
            JsonNode parsed = MAPPER.readTree(text);
            if (parsed instanceof ObjectNode) {
                return parsed;
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // plain text
        }
        return JSON.objectNode().put("result", text);
    }

    private static void append(ArrayNode out, String role, ArrayNode parts) {
        JsonNode last = out.isEmpty() ? null : out.get(out.size() - 1);
        if (last != null && role.equals(last.path("role").asText())) {
            ((ArrayNode) last.get("parts")).addAll(parts);
            return;
        }
        ObjectNode c = out.addObject();
        c.put("role", role);
        c.set("parts", parts);
    }

    private static ArrayNode parts(JsonNode content, String param) {
        ArrayNode parts = JSON.arrayNode();
        if (content == null || content.isNull()) {
            throw OpenAiException.invalid(param + ".content", "A user message needs content.");
        }
        if (content.isTextual()) {
            parts.addObject().put("text", content.asText());
            return parts;
        }
        if (!content.isArray()) {
            throw OpenAiException.invalid(param + ".content", "content must be a string or an array of content parts.");
        }
        for (JsonNode part : content) {
            String type = part.path("type").asText("");
            switch (type) {
                case "text" -> parts.addObject().put("text", part.path("text").asText(""));
                case "image_url" -> {
                    String url = OpenAiShapes.imageUrl(part, param + ".content");
                    String[] data = OpenAiShapes.dataUrl(url);
                    if (data != null) {
                        parts.addObject().putObject("inlineData").put("mimeType", data[0]).put("data", data[1]);
                    } else {
                        parts.addObject().putObject("fileData").put("mimeType", mimeOf(url)).put("fileUri", url);
                    }
                }
                case "file" -> {
                    String[] data = OpenAiShapes.dataUrl(part.path("file").path("file_data").asText(null));
                    if (data == null) {
                        throw OpenAiException.invalid(param + ".content", "A file part needs file.file_data as a base64 data URL.");
                    }
                    parts.addObject().putObject("inlineData").put("mimeType", data[0]).put("data", data[1]);
                }
                default -> throw OpenAiException.invalid(param + ".content",
                        "Content part type '" + type + "' is not supported for Gemini models.");
            }
        }
        return parts;
    }

    private static String mimeOf(String url) {
        String path = url.toLowerCase(java.util.Locale.ROOT).replaceAll("[?#].*$", "");
        if (path.endsWith(".png")) {
            return "image/png";
        }
        if (path.endsWith(".webp")) {
            return "image/webp";
        }
        if (path.endsWith(".gif")) {
            return "image/gif";
        }
        if (path.endsWith(".heic")) {
            return "image/heic";
        }
        return "image/jpeg";
    }

    private static void tools(ObjectNode req, ObjectNode out) {
        JsonNode tools = req.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ArrayNode decls = out.putArray("tools").addObject().putArray("functionDeclarations");
            int i = 0;
            for (JsonNode t : tools) {
                if (!"function".equals(t.path("type").asText("function"))) {
                    throw OpenAiException.invalid("tools[" + i + "].type", "Only function tools are supported for Gemini models.");
                }
                JsonNode fn = t.path("function");
                String name = fn.path("name").asText("");
                if (name.isEmpty()) {
                    throw OpenAiException.invalid("tools[" + i + "].function.name", "A function tool needs a name.");
                }
                ObjectNode d = decls.addObject();
                d.put("name", name);
                if (fn.path("description").isTextual()) {
                    d.put("description", fn.get("description").asText());
                }
                if (fn.get("parameters") instanceof ObjectNode params) {
                    d.set("parametersJsonSchema", params);
                }
                i++;
            }
        }
        JsonNode choice = req.get("tool_choice");
        ObjectNode config = null;
        if (choice != null && choice.isTextual()) {
            config = JSON.objectNode().put("mode", switch (choice.asText()) {
                case "auto" -> "AUTO";
                case "none" -> "NONE";
                case "required" -> "ANY";
                default -> throw OpenAiException.invalid("tool_choice", "tool_choice must be auto, none, required or a function.");
            });
        } else if (choice != null && choice.isObject()) {
            String name = choice.path("function").path("name").asText("");
            if (name.isEmpty()) {
                throw OpenAiException.invalid("tool_choice", "tool_choice needs function.name.");
            }
            config = JSON.objectNode().put("mode", "ANY");
            config.putArray("allowedFunctionNames").add(name);
        }
        if (config != null) {
            out.putObject("toolConfig").set("functionCallingConfig", config);
        }
    }

    // ---- answers -----------------------------------------------------------------------------------------------

    @Override
    public ObjectNode completion(JsonNode answer, String model) {
        if (!answer.isObject() || (!answer.has("candidates") && !answer.has("promptFeedback"))) {
            throw badAnswer();
        }
        ObjectNode c = OpenAiShapes.completion(completionId(answer), OpenAiShapes.now(), answer.path("modelVersion").asText(model));
        ArrayNode choices = (ArrayNode) c.get("choices");
        int i = 0;
        for (JsonNode cand : answer.path("candidates")) {
            StringBuilder text = new StringBuilder();
            StringBuilder thoughts = new StringBuilder();
            ArrayNode calls = JSON.arrayNode();
            for (JsonNode part : cand.path("content").path("parts")) {
                if (part.has("functionCall")) {
                    calls.add(toolCall(part));
                } else if (part.path("thought").asBoolean(false)) {
                    thoughts.append(part.path("text").asText(""));
                } else if (part.has("text")) {
                    text.append(part.path("text").asText(""));
                }
            }
            String finish = finishReason(cand.path("finishReason").asText(null), !calls.isEmpty());
            String refusal = "content_filter".equals(finish) && text.isEmpty()
                    ? "Gemini stopped the answer: finishReason " + cand.path("finishReason").asText() + "." : null;
            ObjectNode message = OpenAiShapes.message(text.isEmpty() && (refusal != null || !calls.isEmpty()) ? null : text.toString(), refusal);
            if (!calls.isEmpty()) {
                message.set("tool_calls", calls);
            }
            if (!thoughts.isEmpty()) {
                message.put("reasoning_content", thoughts.toString());
            }
            choices.add(OpenAiShapes.choice(cand.path("index").asInt(i), message, finish));
            i++;
        }
        if (choices.isEmpty()) {
            String reason = answer.path("promptFeedback").path("blockReason").asText("OTHER");
            choices.add(OpenAiShapes.choice(0, OpenAiShapes.message(null,
                    "Gemini blocked the prompt (promptFeedback.blockReason " + reason + ")."), "content_filter"));
        }
        c.set("usage", usage(answer.path("usageMetadata")));
        return c;
    }

    private static String completionId(JsonNode answer) {
        String id = answer.path("responseId").asText(null);
        return id == null || id.isBlank() ? dev.parley.gateway.openai.ChatJson.newCompletionId() : "chatcmpl-" + id;
    }

    static String finishReason(String reason, boolean toolCalls) {
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case "MAX_TOKENS" -> "length";
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
                 "IMAGE_RECITATION", "LANGUAGE" -> "content_filter";
            default -> toolCalls ? "tool_calls" : "stop";
        };
    }

    private static ObjectNode toolCall(JsonNode part) {
        JsonNode fc = part.get("functionCall");
        String id = fc.hasNonNull("id") ? fc.get("id").asText() : "call_" + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        if (part.hasNonNull("thoughtSignature")) {
            id += SIGNATURE + part.get("thoughtSignature").asText();
        }
        JsonNode args = fc.path("args");
        return OpenAiShapes.toolCall(id, fc.path("name").asText(), args.isObject() ? args.toString() : "{}");
    }

    /** Gemini's counts: thoughts are billed as output (OpenAI counts reasoning inside completion tokens). */
    private static ObjectNode usage(JsonNode u) {
        long prompt = u.path("promptTokenCount").asLong(0) + u.path("toolUsePromptTokenCount").asLong(0);
        long thoughts = u.path("thoughtsTokenCount").asLong(0);
        long completion = u.path("candidatesTokenCount").asLong(0) + thoughts;
        return OpenAiShapes.usage(prompt, completion, u.path("cachedContentTokenCount").asLong(0), thoughts);
    }

    @Override
    public long cacheWriteTokens(JsonNode answer) {
        return 0;
    }

    @Override
    public ObjectNode embeddings(JsonNode answer, ObjectNode req, String model) {
        JsonNode list = answer.path("embeddings");
        if (!list.isArray()) {
            throw new OpenAiException(502, "server_error", "upstream_bad_answer", null,
                    "The provider gemini answered with something that is not a list of embeddings.");
        }
        boolean base64 = "base64".equals(req.path("encoding_format").asText("float"));
        ObjectNode out = JSON.objectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        int i = 0;
        for (JsonNode e : list) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i++);
            JsonNode values = e.path("values");
            if (base64) {
                ByteBuffer buf = ByteBuffer.allocate(values.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (JsonNode v : values) {
                    buf.putFloat((float) v.asDouble());
                }
                item.put("embedding", Base64.getEncoder().encodeToString(buf.array()));
            } else {
                item.set("embedding", values);
            }
        }
        out.put("model", model);
        long tokens = 0;
        JsonNode input = req.path("input");
        if (input.isArray()) {
            for (JsonNode text : input) {
                tokens += TokenCounter.count(text.asText(""));
            }
        } else {
            tokens = TokenCounter.count(input.asText(""));
        }
        out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return out;
    }

    private static OpenAiException badAnswer() {
        return new OpenAiException(502, "server_error", "upstream_bad_answer", null,
                "The provider gemini answered with something that is not a generateContent response.");
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    @Override
    public OpenAiException error(int status, JsonNode body, long retryAfterMs) {
        JsonNode err = body == null ? null : body.path("error");
        String grpc = err == null ? "" : err.path("status").asText("");
        String message = err == null ? null : err.path("message").asText(null);
        String reason = "";
        long retryMs = retryAfterMs;
        if (err != null) {
            for (JsonNode d : err.path("details")) {
                String type = d.path("@type").asText("");
                if (type.endsWith("google.rpc.ErrorInfo")) {
                    reason = d.path("reason").asText("");
                } else if (type.endsWith("google.rpc.RetryInfo") && retryMs < 0) {
                    retryMs = durationMs(d.path("retryDelay").asText(""));
                }
            }
        }
        String text = message == null || message.isBlank() ? "The provider gemini answered HTTP " + status + "." : "gemini: " + message;
        Long retry = retryMs >= 0 ? Math.max(1, (retryMs + 999) / 1000) : null;
        if ("API_KEY_INVALID".equals(reason) || status == 401 || "UNAUTHENTICATED".equals(grpc)) {
            return new OpenAiException(401, "authentication_error", "invalid_api_key", null, text);
        }
        if (status == 403 || "PERMISSION_DENIED".equals(grpc)) {
            return new OpenAiException(403, "permission_error", "permission_denied", null, text);
        }
        if (status == 429 || "RESOURCE_EXHAUSTED".equals(grpc)) {
            return new OpenAiException(429, "rate_limit_error", "rate_limit_exceeded", null, text, retry != null ? retry : 1L);
        }
        if (status == 404 || "NOT_FOUND".equals(grpc)) {
            return new OpenAiException(404, "invalid_request_error", "model_not_found", "model", text);
        }
        if (status == 503 || "UNAVAILABLE".equals(grpc)) {
            return new OpenAiException(503, "server_error", "overloaded", null, text, retry != null ? retry : 1L);
        }
        if (status == 504 || "DEADLINE_EXCEEDED".equals(grpc)) {
            return new OpenAiException(504, "server_error", "upstream_timeout", null, text);
        }
        if (status >= 500) {
            return new OpenAiException(502, "server_error", "upstream_error", null, text);
        }
        return new OpenAiException(400, "invalid_request_error", "invalid_request", null, text);
    }

    /** A protobuf Duration in JSON ({@code "17s"}, {@code "1.5s"}) in milliseconds, or -1. */
    static long durationMs(String d) {
        if (d == null || !d.endsWith("s")) {
            return -1;
        }
        try {
            return (long) (Double.parseDouble(d.substring(0, d.length() - 1)) * 1000);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---- streams -----------------------------------------------------------------------------------------------

    @Override
    public StreamTranslator stream(String model) {
        return new Stream(model);
    }

    /** Each event is a whole GenerateContentResponse holding the next piece of each candidate. */
    static final class Stream implements StreamTranslator {
        private String id;
        private final long created = OpenAiShapes.now();
        private String model;
        private JsonNode usage;
        private final Map<Integer, Integer> toolCount = new HashMap<>();
        private boolean finished;

        Stream(String model) {
            this.model = model;
        }

        @Override
        public List<ObjectNode> onEvent(JsonNode e) {
            if (e.has("error")) {
                throw INSTANCE.error(e.path("error").path("code").asInt(502), e, -1);
            }
            if (id == null) {
                id = completionId(e);
            }
            model = e.path("modelVersion").asText(model);
            if (e.get("usageMetadata") instanceof ObjectNode u) {
                usage = u;
            }
            List<ObjectNode> out = new ArrayList<>();
            for (JsonNode cand : e.path("candidates")) {
                int index = cand.path("index").asInt(0);
                ObjectNode delta = OpenAiShapes.delta();
                StringBuilder text = new StringBuilder();
                StringBuilder thoughts = new StringBuilder();
                ArrayNode calls = null;
                for (JsonNode part : cand.path("content").path("parts")) {
                    if (part.has("functionCall")) {
                        int n = toolCount.merge(index, 1, Integer::sum) - 1;
                        ObjectNode call = toolCall(part);
                        ObjectNode indexed = JSON.objectNode();
                        indexed.put("index", n);
                        indexed.setAll(call);
                        if (calls == null) {
                            calls = delta.putArray("tool_calls");
                        }
                        calls.add(indexed);
                    } else if (part.path("thought").asBoolean(false)) {
                        thoughts.append(part.path("text").asText(""));
                    } else if (part.has("text")) {
                        text.append(part.path("text").asText(""));
                    }
                }
                if (!text.isEmpty()) {
                    delta.put("content", text.toString());
                }
                if (!thoughts.isEmpty()) {
                    delta.put("reasoning_content", thoughts.toString());
                }
                if (!delta.isEmpty()) {
                    out.add(OpenAiShapes.chunk(id, created, model, index, delta, null));
                }
                String finish = finishReason(cand.path("finishReason").asText(null), toolCount.getOrDefault(index, 0) > 0);
                if (finish != null) {
                    finished = true;
                    ObjectNode d = OpenAiShapes.delta();
                    if ("content_filter".equals(finish) && text.isEmpty()) {
                        d.put("refusal", "Gemini stopped the answer: finishReason " + cand.path("finishReason").asText() + ".");
                    }
                    out.add(OpenAiShapes.chunk(id, created, model, index, d, finish));
                }
            }
            String blocked = e.path("promptFeedback").path("blockReason").asText(null);
            if (blocked != null && !finished) {
                finished = true;
                out.add(OpenAiShapes.chunk(id, created, model, 0, OpenAiShapes.delta()
                        .put("refusal", "Gemini blocked the prompt (promptFeedback.blockReason " + blocked + ")."), "content_filter"));
            }
            return out;
        }

        @Override
        public List<ObjectNode> end() {
            if (!finished || usage == null) {
                return OpenAiShapes.none();
            }
            return List.of(OpenAiShapes.usageChunk(id, created, model, usage(usage)));
        }

        @Override
        public boolean complete() {
            return finished;
        }

        @Override
        public long cacheWriteTokens() {
            return 0;
        }
    }
}
