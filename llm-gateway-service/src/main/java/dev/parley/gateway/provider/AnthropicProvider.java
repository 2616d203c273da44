package dev.parley.gateway.provider;

import static dev.parley.gateway.openai.OpenAiShapes.JSON;

import java.net.URI;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.ChatJson;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.OpenAiShapes;
import io.vertx.core.MultiMap;
import jakarta.inject.Singleton;

/**
 * Anthropic's Messages API ({@code POST /v1/messages}, API version 2023-06-01) behind OpenAI's chat completions.
 * System and developer messages become {@code system}; tool calls become {@code tool_use} blocks and tool messages
 * {@code tool_result} blocks (consecutive ones in one user turn, as parallel tool use requires); images and PDFs
 * become image and document blocks; {@code reasoning_effort} turns on extended thinking, whose text comes back as
 * {@code reasoning_content}. Usage counts cache reads and writes into {@code prompt_tokens} as OpenAI does.
 */
@Singleton
public final class AnthropicProvider implements Provider {
    public static final String NAME = "anthropic";
    public static final String BASE_URL = "https://api.anthropic.com/v1";
    public static final String API_VERSION = "2023-06-01";
    /** Anthropic requires {@code max_tokens}; this is used when the request sets none. */
    public static final long DEFAULT_MAX_TOKENS = 4096;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String defaultBaseUrl() {
        return BASE_URL;
    }

    /** {@code /messages}; {@code /v1/messages} after a base URL without the version, as Anthropic's own SDKs take it. */
    @Override
    public String path(URI base, String model, boolean stream, boolean embeddings) {
        String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        return basePath.endsWith("/v1") ? "/messages" : "/v1/messages";
    }

    @Override
    public void authenticate(MultiMap headers, String credential) {
        if (credential != null && !credential.isEmpty()) {
            headers.add("x-api-key", credential);
        }
        headers.add("anthropic-version", API_VERSION);
    }

    // ---- requests ----------------------------------------------------------------------------------------------

    @Override
    public ObjectNode request(ObjectNode req, String model, boolean stream, boolean embeddings) {
        return AnthropicRequests.of(req, model, stream, embeddings);
    }

    // ---- answers -----------------------------------------------------------------------------------------------

    @Override
    public ObjectNode completion(ObjectNode answer, String model) {
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

    static String completionId(String messageId) {
        return messageId == null || messageId.isBlank() ? ChatJson.newCompletionId() : messageId;
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
    public ObjectNode embeddings(ObjectNode answer, ObjectNode openAiRequest, String model) {
        throw OpenAiException.invalid("model", "Anthropic has no embeddings API.");
    }

    private static OpenAiException badAnswer() {
        return new OpenAiException(502, "server_error", "upstream_bad_answer", null,
                "The provider anthropic answered with something that is not a message.");
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    @Override
    public OpenAiException error(String provider, int status, JsonNode body, long retryAfterMs) {
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
    public StreamTranslator stream(String provider, String model) {
        return new AnthropicStream(model);
    }
}
