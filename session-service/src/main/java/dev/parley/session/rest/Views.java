package dev.parley.session.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.session.entity.ChatSession;
import dev.parley.session.entity.Message;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The API's JSON objects (snake_case on the wire). */
public final class Views {
    private Views() { }

    public record SessionView(UUID id, String title, String systemPrompt, String memoryMode, String model,
                              Map<String, Object> llmParams, Map<String, Object> metadata,
                              @Schema(description = "true, false or {\"budget_tokens\":N}; null: the model's default") Object thinking,
                              UUID activeLeafId, Instant createdAt, Instant updatedAt) {
        static SessionView of(ChatSession s) {
            return new SessionView(s.id, s.title, s.systemPrompt, s.memoryMode, s.model, s.llmParams, s.metadata, s.thinking,
                    s.activeLeafId, s.createdAt, s.updatedAt);
        }
    }

    public record MessageView(UUID id, UUID sessionId, UUID parentMessageId, String role, String content, String modelUsed,
                              String provider, String deployment, Integer promptTokens, Integer completionTokens,
                              Integer responseTimeMs, Integer ttftMs, String finishReason, String status,
                              @Schema(description = "The model's reasoning (thinking), kept apart from content and never sent "
                                      + "back to the model; null when it gave none") String reasoning,
                              Map<String, Object> context, Map<String, Object> error, List<Map<String, Object>> attachments,
                              Instant createdAt) {
        public static MessageView of(Message m) {
            return m == null ? null : new MessageView(m.id, m.sessionId, m.parentMessageId, m.role, m.content, m.modelUsed,
                    m.provider, m.deployment, m.promptTokens, m.completionTokens, m.responseTimeMs, m.ttftMs, m.finishReason,
                    m.status, m.reasoning, m.context, m.error, m.attachments, m.createdAt);
        }
    }

    /**
     * A turn: the user message and the reply. A message stored without asking the model ({@code generate: false}) is
     * in its role's place, the other is null.
     */
    public record TurnView(MessageView userMessage, MessageView assistantMessage) { }

    public record Page<T>(List<T> data, String nextCursor) { }
}
