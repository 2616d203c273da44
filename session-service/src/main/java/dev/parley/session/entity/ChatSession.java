package dev.parley.session.entity;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A conversation: its settings and the leaf of the branch it currently shows. */
@Entity
@Table(name = "sessions")
public class ChatSession {
    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(length = 200)
    public String title;

    @Column(name = "system_prompt")
    public String systemPrompt;

    @Column(name = "memory_mode", nullable = false, length = 16)
    public String memoryMode = "AUTO";

    @Column(length = 256)
    public String model;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "llm_params", nullable = false, columnDefinition = "jsonb")
    public Map<String, Object> llmParams = new LinkedHashMap<>();

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, columnDefinition = "jsonb")
    public Map<String, Object> metadata = new LinkedHashMap<>();

    /** Reasoning for the session's turns: {@code true}, {@code false}, {@code {"budget_tokens":N}}; null: the model's default. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public Object thinking;

    @Column(name = "active_leaf_id")
    public UUID activeLeafId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
