package dev.parley.auth.entity;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An admin's invite code (only its SHA-256 hash is kept), good for {@code maxUses} registrations until it expires. */
@Entity
@Table(name = "invites")
public class Invite {
    @Id
    public UUID id;

    @Column(name = "code_hash", nullable = false, length = 64)
    public String codeHash;

    @Column(length = 200)
    public String note;

    @Column(name = "max_uses", nullable = false)
    public int maxUses;

    @Column(nullable = false)
    public int uses;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "created_by")
    public UUID createdBy;

    @Override
    public String toString() {
        return "Invite[" + id + ", " + uses + "/" + maxUses + "]";
    }
}
