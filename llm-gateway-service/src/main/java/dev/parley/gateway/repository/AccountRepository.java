package dev.parley.gateway.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * One user's rows across the gateway's tables, for an account's deletion and export (see
 * {@code service/GatewayAccountData}). Blocking.
 */
@ApplicationScoped
public class AccountRepository {
    /**
     * Every statement that removes a user's rows, each taking the user's id as its one parameter, run in one
     * transaction. A new table holding user ids adds its line here ({@code GatewayAccountDataTest} finds the tables
     * through information_schema and fails on one left out).
     */
    static final List<String> USER_DELETES = List.of(
            "delete from idempotency_keys where user_id = ?",
            "delete from request_log where user_id = ?",
            "delete from user_routes where user_id = ?",
            "delete from rate_limit_overrides where subject_type = 'user' and subject_id = ?",
            // an admin's own account: the limits they set stay (they are the platform's), without their name on them
            "update rate_limit_overrides set updated_by = null where updated_by = ?",
            // usage events not yet relayed: dropped (see GatewayAccountData); rows being relayed are locked, so this
            // waits for that delivery to end. The LIKE spares parsing every other user's payload.
            """
            with u as (select ?::text as id) delete from usage_outbox using u
            where payload like '%' || u.id || '%' and (payload::jsonb ->> 'user_id') = u.id""");

    private final DataSource dataSource;

    public AccountRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs {@link #USER_DELETES} for one user in one transaction; answers the rows removed or changed. */
    public int deleteUser(UUID userId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int rows = 0;
                for (String sql : USER_DELETES) {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setObject(1, userId);
                        rows += ps.executeUpdate();
                    }
                }
                c.commit();
                return rows;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The user's own rate limits set through the admin API (at most one row). */
    public List<Map<String, Object>> rateLimits(UUID userId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select requests_per_minute, tokens_per_minute, updated_at from rate_limit_overrides
                where subject_type = 'user' and subject_id = ?""")) {
            ps.setObject(1, userId);
            return rows(ps);
        }
    }

    /** One page of the user's request-log rows, oldest first, after {@code afterId} (0 for the first page). */
    public List<Map<String, Object>> requestLog(UUID userId, long afterId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select id, request_id, model, status, request_body, response_body, created_at from request_log
                where user_id = ? and id > ? order by id limit ?""")) {
            ps.setObject(1, userId);
            ps.setLong(2, afterId);
            ps.setInt(3, limit);
            return rows(ps);
        }
    }

    private static List<Map<String, Object>> rows(PreparedStatement ps) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= n; i++) {
                    Object v = rs.getObject(i);
                    row.put(rs.getMetaData().getColumnLabel(i), v instanceof Timestamp t ? t.toInstant() : v);
                }
                out.add(row);
            }
        }
        return out;
    }
}
