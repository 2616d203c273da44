package dev.parley.session.entity;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One message of a session's tree; assistant messages carry how they were produced. */
@Entity
@Table(name = "messages")
public class Message {
    public static final String COMPLETE = "complete";
    public static final String PARTIAL = "partial";
    public static final String ERROR = "error";
    public static final String CANCELLED = "cancelled";
    public static final String PENDING = "pending";

    @Id
    public UUID id;

    @Column(name = "session_id", nullable = false)
    public UUID sessionId;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "parent_message_id")
    public UUID parentMessageId;

    @Column(nullable = false, length = 16)
    public String role;

    @Column(nullable = false)
    public String content = "";

    @Column(name = "model_used", length = 256)
    public String modelUsed;

    @Column(length = 128)
    public String provider;

    @Column(length = 256)
    public String deployment;

    @Column(name = "prompt_tokens")
    public Integer promptTokens;

    @Column(name = "completion_tokens")
    public Integer completionTokens;

    @Column(name = "response_time_ms")
    public Integer responseTimeMs;

    @Column(name = "ttft_ms")
    public Integer ttftMs;

    @Column(name = "finish_reason", length = 32)
    public String finishReason;

    @Column(nullable = false, length = 16)
    public String status = COMPLETE;

    public String reasoning;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public Map<String, Object> context;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public Map<String, Object> error;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "llm_params", columnDefinition = "jsonb")
    public Map<String, Object> llmParams;

    @Column(name = "idempotency_key", length = 255)
    public String idempotencyKey;

    /** 0 for a first message; its parent's depth + 1 otherwise. */
    @Column(nullable = false)
    public int depth;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** The images of the message ({@code id}, {@code media_type}, {@code size}), filled in when it is read. */
    @jakarta.persistence.Transient
    public java.util.List<Map<String, Object>> attachments = java.util.List.of();
}
