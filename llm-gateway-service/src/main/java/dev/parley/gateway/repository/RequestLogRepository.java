package dev.parley.gateway.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/** The {@code request_log} table: prompts and completions of calls, when request logging is on. Blocking. */
@ApplicationScoped
public class RequestLogRepository {
    private final DataSource dataSource;

    public RequestLogRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void insert(UUID requestId, UUID userId, String model, int status, String request, String response) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into request_log (request_id, user_id, model, status, request_body, response_body) values (?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, requestId);
            ps.setObject(2, userId);
            ps.setString(3, model);
            ps.setInt(4, status);
            ps.setString(5, request);
            ps.setString(6, response);
            ps.executeUpdate();
        }
    }

    /** Deletes the rows written before {@code cutoff}; answers how many. */
    public int deleteOlderThan(Instant cutoff) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "delete from request_log where created_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(cutoff));
            return ps.executeUpdate();
        }
    }
}
