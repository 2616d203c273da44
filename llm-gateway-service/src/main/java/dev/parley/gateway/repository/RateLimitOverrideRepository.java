package dev.parley.gateway.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The {@code rate_limit_overrides} table: the admin API's limits per subject ({@code default}, {@code user},
 * {@code access_key}; the default's subject id is the nil UUID), null meaning no limit. Blocking.
 */
@ApplicationScoped
public class RateLimitOverrideRepository {
    private static final UUID NIL = new UUID(0, 0);

    /** One stored override. */
    public record Override(String subjectType, UUID subjectId, Long requestsPerMinute, Long tokensPerMinute) { }

    /** How many overrides there are and when the last one changed: tells a reload whether anything did. */
    public record Version(long count, Timestamp latest) { }

    private final DataSource dataSource;

    public RateLimitOverrideRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Inserts or replaces the override of one subject ({@code subjectId} null for the default). */
    public void upsert(String subjectType, UUID subjectId, Long rpm, Long tpm, UUID by) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into rate_limit_overrides (subject_type, subject_id, requests_per_minute, tokens_per_minute, updated_at, updated_by)
                     values (?, ?, ?, ?, clock_timestamp(), ?)
                     on conflict (subject_type, subject_id) do update set requests_per_minute = excluded.requests_per_minute,
                       tokens_per_minute = excluded.tokens_per_minute, updated_at = excluded.updated_at, updated_by = excluded.updated_by""")) {
            ps.setString(1, subjectType);
            ps.setObject(2, subjectId == null ? NIL : subjectId);
            setLong(ps, 3, rpm);
            setLong(ps, 4, tpm);
            ps.setObject(5, by);
            ps.executeUpdate();
        }
    }

    /** Removes one subject's override; answers whether there was one. */
    public boolean delete(String subjectType, UUID subjectId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("delete from rate_limit_overrides where subject_type = ? and subject_id = ?")) {
            ps.setString(1, subjectType);
            ps.setObject(2, subjectId == null ? NIL : subjectId);
            return ps.executeUpdate() > 0;
        }
    }

    public Version version() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*), max(updated_at) from rate_limit_overrides");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Version(rs.getLong(1), rs.getTimestamp(2));
        }
    }

    public List<Override> all() throws SQLException {
        List<Override> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select subject_type, subject_id, requests_per_minute, tokens_per_minute from rate_limit_overrides");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Override(rs.getString(1), rs.getObject(2, UUID.class), nullableLong(rs, 3), nullableLong(rs, 4)));
            }
        }
        return out;
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    private static Long nullableLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }
}
