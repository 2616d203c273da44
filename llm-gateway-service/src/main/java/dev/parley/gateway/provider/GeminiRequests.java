package dev.parley.gateway.provider;

import static dev.parley.gateway.openai.OpenAiShapes.JSON;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.Thinking;
import dev.parley.gateway.openai.OpenAiShapes;

/** OpenAI chat and embeddings requests as Gemini API requests (see {@link GeminiProvider}). */
final class GeminiRequests {
    private static final ObjectMapper MAPPER = OpenAiShapes.MAPPER;

    private GeminiRequests() { }

    static ObjectNode of(ObjectNode req, String model, boolean stream, boolean embeddings) {
        GeminiProvider.checkModel(model);
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
        ObjectNode thinkingConfig = thinkingConfig(req);
        if (thinkingConfig != null) {
            gen.set("thinkingConfig", thinkingConfig);
        }
        if (!gen.isEmpty()) {
            out.set("generationConfig", gen);
        }
        tools(req, out);
        return out;
    }

    /**
     * Gemini's {@code thinkingConfig}: {@code thinking: false} → budget 0 (Gemini 2.5 Flash and Flash-Lite stop
     * thinking; 2.5 Pro cannot and answers its own 400); {@code thinking} with a budget → that budget; else the level
     * of {@code reasoning_effort} (none/minimal 0, low 1024, medium 8192, high 24576); {@code thinking: true} without
     * either → -1, Gemini's dynamic budget. Thoughts are asked for whenever the budget is not 0 (they come back as
     * {@code reasoning_content}). Null when the request says nothing about thinking (the model's default applies).
     */
    private static ObjectNode thinkingConfig(ObjectNode req) {
        JsonNode thinking = req.get(Thinking.FIELD);
        String effort = req.path("reasoning_effort").asText(null);
        long budget;
        if (thinking != null && !Thinking.enabled(thinking)) {
            budget = 0;
        } else if (thinking != null && Thinking.budget(thinking) > 0) {
            budget = Thinking.budget(thinking);
        } else if (effort != null) {
            budget = switch (effort) {
                case "none", "minimal" -> 0;
                case "low" -> 1024;
                case "medium" -> 8192;
                case "high" -> 24576;
                default -> throw OpenAiException.invalid("reasoning_effort", "reasoning_effort must be none, minimal, low, medium or high.");
            };
        } else if (thinking != null) {
            budget = -1;
        } else {
            return null;
        }
        return JSON.objectNode().put("thinkingBudget", budget).put("includeThoughts", budget != 0);
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
                        int sig = id.indexOf(GeminiProvider.SIGNATURE);
                        if (sig >= 0) {
                            part.put("thoughtSignature", id.substring(sig + GeminiProvider.SIGNATURE.length()));
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
}
