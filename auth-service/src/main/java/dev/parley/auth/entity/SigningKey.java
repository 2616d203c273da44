package dev.parley.auth.entity;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "signing_keys")
public class SigningKey {
    public enum State { NEXT, CURRENT, PREVIOUS, RETIRED }

    @Id
    @Column(length = 64)
    public String kid;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public State state;

    @Column(name = "public_n", nullable = false)
    public String publicN;

    @Column(name = "public_e", nullable = false)
    public String publicE;

    @Column(name = "private_enc", nullable = false)
    public byte[] privateEnc;

    @Column(nullable = false)
    public byte[] nonce;

    @Column(name = "kek_version", nullable = false)
    public int kekVersion;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "activated_at")
    public Instant activatedAt;

    @Column(name = "deactivated_at")
    public Instant deactivatedAt;

    public String associatedData() {
        return "parley/signing-key/v1|" + kid;
    }
}
