package dev.parley.gateway.provider;

import static dev.parley.gateway.openai.OpenAiShapes.JSON;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.ChatJson;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.OpenAiShapes;
import dev.parley.gateway.openai.TokenCounter;
import io.vertx.core.MultiMap;
import jakarta.inject.Singleton;

/**
 * Google's Gemini API (v1beta: {@code models/{model}:generateContent}, {@code :streamGenerateContent?alt=sse},
 * {@code :batchEmbedContents}) behind OpenAI's chat completions and embeddings. The key travels in the
 * {@code x-goog-api-key} header, never in the URL. System messages become {@code systemInstruction}, tool calls
 * {@code functionCall} parts and tool messages {@code functionResponse} parts; safety blocks finish with
 * {@code content_filter} and say why in {@code refusal}; thought parts come back as {@code reasoning_content}.
 * A function call's {@code thoughtSignature}, which Gemini needs back on the next turn, rides in the tool call id.
 */
@Singleton
public final class GeminiProvider implements Provider {
    public static final String NAME = "gemini";
    public static final String BASE_URL = "https://generativelanguage.googleapis.com/v1beta";
    public static final String API_KEY_HEADER = "x-goog-api-key";
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Separates a tool call id from the thought signature carried in it. */
    static final String SIGNATURE = ".sig.";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String defaultBaseUrl() {
        return BASE_URL;
    }

    @Override
    public String path(URI base, String model, boolean stream, boolean embeddings) {
        checkModel(model);
        if (embeddings) {
            return "/models/" + model + ":batchEmbedContents";
        }
        return "/models/" + model + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    }

    static void checkModel(String model) {
        if (model == null || !MODEL.matcher(model).matches()) {
            throw OpenAiException.invalid("model", "A Gemini model name has letters, digits, '.', '_' and '-' only.");
        }
    }

    @Override
    public void authenticate(MultiMap headers, String credential) {
        if (credential != null && !credential.isEmpty()) {
            headers.add(API_KEY_HEADER, credential);
        }
    }

    // ---- requests ----------------------------------------------------------------------------------------------

    @Override
    public ObjectNode request(ObjectNode req, String model, boolean stream, boolean embeddings) {
        return GeminiRequests.of(req, model, stream, embeddings);
    }

    // ---- answers -----------------------------------------------------------------------------------------------

    @Override
    public ObjectNode completion(ObjectNode answer, String model) {
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

    static String completionId(JsonNode answer) {
        String id = answer.path("responseId").asText(null);
        return id == null || id.isBlank() ? ChatJson.newCompletionId() : "chatcmpl-" + id;
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

    static ObjectNode toolCall(JsonNode part) {
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
    static ObjectNode usage(JsonNode u) {
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
    public ObjectNode embeddings(ObjectNode answer, ObjectNode req, String model) {
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
    public OpenAiException error(String provider, int status, JsonNode body, long retryAfterMs) {
        return errorOf(status, body, retryAfterMs);
    }

    static OpenAiException errorOf(int status, JsonNode body, long retryAfterMs) {
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
    public StreamTranslator stream(String provider, String model) {
        return new GeminiStream(model);
    }
}
