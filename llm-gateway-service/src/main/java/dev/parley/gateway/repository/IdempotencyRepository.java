package dev.parley.gateway.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/** The {@code idempotency_keys} table: one row per user and key, its answer once the first call completed. Blocking. */
@ApplicationScoped
public class IdempotencyRepository {

    /** A stored key: {@code status} null while the first call still runs. */
    public record Entry(String requestHash, Integer status, String body, String deployment, Instant createdAt) { }

    private final DataSource dataSource;

    public IdempotencyRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Claims the key; false when a row for it exists already. */
    public boolean insert(UUID userId, String key, String requestHash) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into idempotency_keys (user_id, idem_key, request_hash) values (?, ?, ?) on conflict do nothing")) {
            ps.setObject(1, userId);
            ps.setString(2, key);
            ps.setString(3, requestHash);
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<Entry> find(UUID userId, String key) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select request_hash, status_code, response_body, deployment, created_at from idempotency_keys "
                        + "where user_id = ? and idem_key = ?")) {
            ps.setObject(1, userId);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                int status = rs.getInt(2);
                Integer completed = rs.wasNull() ? null : status;
                return Optional.of(new Entry(rs.getString(1).trim(), completed, rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant()));
            }
        }
    }

    /** Claims an expired or abandoned row afresh; false when another caller changed it since {@code createdAt}. */
    public boolean takeOver(UUID userId, String key, String requestHash, Instant createdAt) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update idempotency_keys set request_hash = ?, status_code = null, response_body = null, deployment = null, "
                        + "created_at = now(), completed_at = null where user_id = ? and idem_key = ? and created_at = ?")) {
            ps.setString(1, requestHash);
            ps.setObject(2, userId);
            ps.setString(3, key);
            ps.setTimestamp(4, Timestamp.from(createdAt));
            return ps.executeUpdate() == 1;
        }
    }

    public void complete(UUID userId, String key, int status, String body, String deployment) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update idempotency_keys set status_code = ?, response_body = ?, deployment = ?, completed_at = now() "
                        + "where user_id = ? and idem_key = ?")) {
            ps.setInt(1, status);
            ps.setString(2, body);
            ps.setString(3, deployment);
            ps.setObject(4, userId);
            ps.setString(5, key);
            ps.executeUpdate();
        }
    }

    /** Drops a claim whose call failed (never a completed answer). */
    public void release(UUID userId, String key) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "delete from idempotency_keys where user_id = ? and idem_key = ? and status_code is null")) {
            ps.setObject(1, userId);
            ps.setString(2, key);
            ps.executeUpdate();
        }
    }

    /** Deletes the keys claimed before {@code cutoff}; answers how many. */
    public int deleteOlderThan(Instant cutoff) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "delete from idempotency_keys where created_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(cutoff));
            return ps.executeUpdate();
        }
    }
}
