package dev.parley.auth.entity;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "provider_keys")
public class ProviderKey {
    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(nullable = false, length = 32)
    public String provider;

    @Column(nullable = false, length = 64)
    public String name;

    @Column(length = 200)
    public String label;

    @Column(name = "base_url", length = 2048)
    public String baseUrl;

    @Column(nullable = false)
    public byte[] ciphertext;

    @Column(nullable = false)
    public byte[] nonce;

    @Column(name = "kek_version", nullable = false)
    public int kekVersion;

    @Column(name = "key_hint", nullable = false, length = 16)
    public String keyHint;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** What binds the ciphertext to this row: moving it to another row makes it unreadable. */
    public String associatedData() {
        return "parley/provider-key/v1|" + userId + "|" + id;
    }

    @Override
    public String toString() {
        return "ProviderKey[" + id + ", " + provider + "/" + name + "]";
    }
}
