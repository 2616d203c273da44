package dev.parley.memory.entity;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One long-term memory of a user, shared by all the user's sessions (scope user) or one session's (scope session). */
@Entity
@Table(name = "memories")
public class Memory {
    public static final String USER = "user";
    public static final String SESSION = "session";

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(nullable = false, length = 16)
    public String scope;

    @Column(name = "session_id")
    public UUID sessionId;

    @Column(nullable = false, length = 16)
    public String type;

    @Column(nullable = false)
    public String content;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false, columnDefinition = "text[]")
    public String[] keywords = new String[0];

    @Column(nullable = false)
    public float importance = 0.5f;

    @Column(nullable = false, length = 16)
    public String source;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "related_message_ids", nullable = false, columnDefinition = "uuid[]")
    public UUID[] relatedMessageIds = new UUID[0];

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    /** float32 little-endian; null until computed. */
    public byte[] embedding;

    @Column(name = "embedding_model", length = 200)
    public String embeddingModel;

    /** When the background job last failed to embed it (it is tried again five minutes later). */
    @Column(name = "embed_failed_at")
    public Instant embedFailedAt;
}
