package dev.parley.usage.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import jakarta.inject.Singleton;
import javax.sql.DataSource;

/**
 * Plain JDBC for the repositories: the connection of the caller's transaction (the same one for every statement of
 * that transaction, so an advisory lock taken by one statement covers the others), or an autocommit connection
 * outside a transaction. SQL failures leave as IllegalStateException naming what failed.
 */
@Singleton
class Jdbc {
    /** Statements run on one connection. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;

    Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    <T> T with(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        }
    }

    /** One statement with its parameters in order; the rows it changed. */
    static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }
}
