package dev.parley.session.service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.platform.error.ApiException;
import dev.parley.session.client.ChatCompletion;
import dev.parley.session.client.ChatRequest;
import dev.parley.session.client.GatewayClient;
import dev.parley.session.client.GatewayError;
import dev.parley.session.config.SessionConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A one-off completion that stores nothing ({@code POST /api/v1/llm/text-completion} and {@code image-completion}
 * without a session): the text (and images) as one user message, the answer's text, reasoning (apart), model, finish
 * reason and usage.
 * Gateway refusals answer with the gateway's status and code (401/403 and 5xx as 502: they are not the caller's).
 */
@ApplicationScoped
public class OneOffCompletions {
    private final GatewayClient gateway;
    private final SessionConfig config;

    public OneOffCompletions(GatewayClient gateway, SessionConfig config) {
        this.gateway = gateway;
        this.config = config;
    }

    /**
     * {@code text} (already checked), {@code model} null: the default model; the images (if any) are sent as content
     * parts after the text.
     */
    public Map<String, Object> complete(UUID userId, String text, String model, Map<String, Object> params, List<Upload> images) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "user");
        if (images.isEmpty()) {
            message.put("content", text);
        } else {
            List<Map<String, Object>> parts = new ArrayList<>();
            parts.add(Map.of("type", "text", "text", text));
            for (Upload u : images) {
                parts.add(Map.of("type", "image_url", "image_url", Map.of("url", u.dataUrl())));
            }
            message.put("content", parts);
        }
        String used = model != null ? model : config.defaultModel();
        ChatCompletion answer;
        try {
            answer = gateway.chat(userId, null, null, ChatRequest.of(used, List.of(message), params, false)).completion();
        } catch (GatewayError e) {
            int status = e.status() >= 500 || e.status() == 401 || e.status() == 403 ? 502 : e.status();
            throw new ApiException(status, e.code() != null ? e.code() : "GATEWAY_ERROR",
                    e.gatewayMessage() != null ? e.gatewayMessage() : "The gateway refused the call.");
        } catch (IOException e) {
            throw new ApiException(502, "GATEWAY_UNAVAILABLE", "The gateway could not be reached.");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("text", answer.content() == null ? "" : answer.content());
        out.put("reasoning", answer.reasoning() == null || answer.reasoning().isEmpty() ? null : answer.reasoning());
        out.put("model", used);
        out.put("finish_reason", answer.finishReason());
        out.put("usage", answer.usage());
        return out;
    }
}
