package dev.parley.gateway.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The {@code user_routes} table: users' routes ({@code user_id} set) and global ones ({@code user_id} null), the
 * deployments as a JSON array (read and written by {@code service/UserRouteService}). Blocking.
 */
@ApplicationScoped
public class UserRouteRepository {
    /** One stored route; {@code userId} null for a global route; {@code deploymentsJson} the steps as JSON. */
    public record Row(UUID id, UUID userId, String alias, String description, String deploymentsJson,
                      Instant createdAt, Instant updatedAt) { }

    /** Thrown when the alias is already taken in the same scope (the unique index said so). */
    public static final class AliasTaken extends Exception {
        public AliasTaken() {
            super("alias taken", null, false, false);
        }
    }

    private static final String COLUMNS = "id, user_id, alias, description, deployments::text, created_at, updated_at";

    private final DataSource dataSource;

    public UserRouteRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void insert(Row r) throws SQLException, AliasTaken {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into user_routes (id, user_id, alias, description, deployments, created_at, updated_at)
                     values (?, ?, ?, ?, ?::jsonb, ?, ?)""")) {
            ps.setObject(1, r.id());
            ps.setObject(2, r.userId());
            ps.setString(3, r.alias());
            ps.setString(4, r.description());
            ps.setString(5, r.deploymentsJson());
            ps.setTimestamp(6, Timestamp.from(r.createdAt()));
            ps.setTimestamp(7, Timestamp.from(r.updatedAt()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw aliasTakenOr(e);
        }
    }

    /** Replaces alias, description and deployments of one route; answers whether it existed. */
    public boolean update(Row r) throws SQLException, AliasTaken {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "update user_routes set alias = ?, description = ?, deployments = ?::jsonb, updated_at = ? where id = ?")) {
            ps.setString(1, r.alias());
            ps.setString(2, r.description());
            ps.setString(3, r.deploymentsJson());
            ps.setTimestamp(4, Timestamp.from(r.updatedAt()));
            ps.setObject(5, r.id());
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw aliasTakenOr(e);
        }
    }

    public boolean delete(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("delete from user_routes where id = ?")) {
            ps.setObject(1, id);
            return ps.executeUpdate() > 0;
        }
    }

    public Optional<Row> find(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from user_routes where id = ?")) {
            ps.setObject(1, id);
            List<Row> rows = rows(ps);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
        }
    }

    /** The user's own routes (not the global ones), oldest first: what the routes API lists and an export holds. */
    public List<Row> listForUser(UUID userId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select " + COLUMNS + " from user_routes where user_id = ? order by created_at, id")) {
            ps.setObject(1, userId);
            return rows(ps);
        }
    }

    /** The global routes (an admin's, for everyone), oldest first. */
    public List<Row> listGlobal() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "select " + COLUMNS + " from user_routes where user_id is null order by created_at, id")) {
            return rows(ps);
        }
    }

    /** How many routes the user has ({@code userId} null: how many global ones there are). */
    public int count(UUID userId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(userId == null
                     ? "select count(*) from user_routes where user_id is null"
                     : "select count(*) from user_routes where user_id = ?")) {
            if (userId != null) {
                ps.setObject(1, userId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static List<Row> rows(PreparedStatement ps) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Row(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant()));
            }
        }
        return out;
    }

    private static SQLException aliasTakenOr(SQLException e) throws AliasTaken {
        if ("23505".equals(e.getSQLState())) {
            throw new AliasTaken();
        }
        return e;
    }
}
