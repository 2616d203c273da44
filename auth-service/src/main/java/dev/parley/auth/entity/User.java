package dev.parley.auth.entity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "users")
public class User {
    @Id
    public UUID id;

    @Column(nullable = false, length = 64)
    public String username;

    @Column(length = 254)
    public String email;

    @Column(name = "password_hash", nullable = false)
    public String passwordHash;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false, columnDefinition = "text[]")
    public List<String> roles = new ArrayList<>();

    @Column(nullable = false)
    public boolean enabled = true;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** When the account's deletion started: the row is then only a tombstone, deleted once every service is done. */
    @Column(name = "deleted_at")
    public Instant deletedAt;

    @Override
    public String toString() {
        return "User[" + id + ", " + username + "]";
    }
}
