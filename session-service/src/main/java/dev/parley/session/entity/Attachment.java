package dev.parley.session.entity;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Basic;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An image sent with a message; its type was checked from its bytes, not its name. */
@Entity
@Table(name = "attachments")
public class Attachment {
    @Id
    public UUID id;

    @Column(name = "message_id", nullable = false)
    public UUID messageId;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "media_type", nullable = false, length = 64)
    public String mediaType;

    @Column(name = "size_bytes", nullable = false)
    public int sizeBytes;

    @Basic(fetch = FetchType.LAZY)
    @Column(nullable = false)
    public byte[] data;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
