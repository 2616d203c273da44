package dev.parley.gateway.provider;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.Thinking;

/** OpenAI's own wire format, as {@link Provider}'s defaults speak it: requests pass through, errors keep their words. */
final class OpenAiWire {
    private static final int MAX_MESSAGE = 2000;

    private OpenAiWire() { }

    /**
     * The client's request itself, with the deployment's model and, in a stream, usage asked for; {@code thinking}
     * translated ({@link #thinking}). {@code openAiItself}: OpenAI's own API, which takes no server-specific fields.
     */
    static ObjectNode request(ObjectNode openAi, String model, boolean stream, boolean openAiItself) {
        openAi.put("model", model);
        if (openAi.has(Thinking.FIELD)) {
            thinking(openAi, openAiItself);
        }
        if (stream) {
            JsonNode so = openAi.get("stream_options");
            ObjectNode options = so instanceof ObjectNode o ? o : openAi.putObject("stream_options");
            options.put("include_usage", true);
        }
        return openAi;
    }

    /**
     * {@code thinking} as OpenAI's wire says it: {@code reasoning_effort} (OpenAI's reasoning models; Ollama, Groq and
     * vLLM's gpt-oss take it too, Ollama's {@code none} turning thinking off) from the budget, or the client's own
     * {@code reasoning_effort}, or {@code medium}; for an OpenAI-compatible server also
     * {@code chat_template_kwargs.enable_thinking} (vLLM and llama.cpp pass it to the chat templates of Qwen3,
     * DeepSeek-R1, GLM… that have a switch). OpenAI's own models cannot stop reasoning: {@code false} changes nothing
     * there. The {@code thinking} field itself is not sent (OpenAI refuses unknown fields).
     */
    private static void thinking(ObjectNode openAi, boolean openAiItself) {
        JsonNode thinking = openAi.remove(Thinking.FIELD);
        boolean on = Thinking.enabled(thinking);
        long budget = Thinking.budget(thinking);
        if (on && budget > 0) {
            openAi.put("reasoning_effort", Thinking.effort(budget));
        } else if (on && !openAi.hasNonNull("reasoning_effort")) {
            openAi.put("reasoning_effort", "medium");
        } else if (!on && !openAiItself) {
            openAi.put("reasoning_effort", "none");
        }
        if (!openAiItself) {
            JsonNode kw = openAi.get("chat_template_kwargs");
            ObjectNode kwargs = openAi.putObject("chat_template_kwargs"); // a copy: the request's own object stays as sent
            if (kw instanceof ObjectNode o) {
                kwargs.setAll(o);
            }
            if (!kwargs.has("enable_thinking")) {
                kwargs.put("enable_thinking", on);
            }
        }
    }

    /** An OpenAI-compatible server's error: most send OpenAI's shape already, so its status and words are kept. */
    static OpenAiException error(String provider, int status, JsonNode root, long retryAfterMs) {
        String message = null;
        String type = status >= 500 ? "server_error" : status == 429 ? "rate_limit_error" : "invalid_request_error";
        String code = null;
        String param = null;
        JsonNode err = root == null ? null : root.get("error");
        if (err != null && err.isObject()) {
            message = err.path("message").asText(null);
            type = err.hasNonNull("type") ? err.get("type").asText() : type;
            code = err.hasNonNull("code") ? err.get("code").asText() : null;
            param = err.hasNonNull("param") ? err.get("param").asText() : null;
        } else if (err != null && err.isTextual()) {
            message = err.asText();
        } else if (root != null && root.hasNonNull("message")) {
            message = root.get("message").asText();
        }
        if (message == null || message.isBlank()) {
            message = "The provider " + provider + " answered HTTP " + status + ".";
        }
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE);
        }
        int answered = status == 429 ? 429 : status >= 500 ? 502 : status;
        Long retryAfter = status == 429 ? (retryAfterMs >= 0 ? Math.max(1, (retryAfterMs + 999) / 1000) : 1L) : null;
        return new OpenAiException(answered, type, code, param, message, retryAfter);
    }

    /** OpenAI's chunks need no translation: each event is passed on itself (an error event is the provider's error). */
    static StreamTranslator stream(String provider) {
        return new StreamTranslator() {
            @Override
            public List<ObjectNode> onEvent(JsonNode event) {
                if (event.has("error")) {
                    throw error(provider, 502, event, -1);
                }
                return List.of((ObjectNode) event);
            }

            @Override
            public List<ObjectNode> end() {
                return List.of();
            }

            @Override
            public boolean complete() {
                return true;
            }

            @Override
            public long cacheWriteTokens() {
                return 0;
            }
        };
    }
}
