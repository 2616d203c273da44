package dev.parley.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * What of a user is left in a service's database, read from the schema itself so that a table added later is checked
 * without anyone remembering to: every uuid, text and jsonb column of the current schema (Flyway's history aside).
 * A uuid column counts the rows equal to a {@link UUID} value; a text or jsonb column the rows containing any value's
 * text, case-insensitively (an id inside a JSON payload, a username in a log line). The AccountData tests of every
 * service use it to prove an account's deletion complete.
 */
public final class DatabaseTraces {
    private DatabaseTraces() {
    }

    /** One column the check reads. */
    public record Column(String table, String name, String type) {
        public boolean uuid() {
            return "uuid".equals(type);
        }

        public String key() {
            return table + "." + name;
        }
    }

    /** Every column the check reads, in table then column order. */
    public static List<Column> columns(DataSource db) throws SQLException {
        List<Column> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select table_name, column_name, data_type from information_schema.columns
                where table_schema = current_schema() and table_name <> 'flyway_schema_history'
                  and data_type in ('uuid', 'text', 'character varying', 'character', 'jsonb')
                order by table_name, column_name""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Column(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no columns read: not the service's schema?");
        }
        return out;
    }

    /** {@code "table.column"} → rows holding one of {@code values}, for every column with at least one. */
    public static Map<String, Long> rowsHolding(DataSource db, Object... values) throws SQLException {
        Map<String, Long> found = new LinkedHashMap<>();
        for (Column col : columns(db)) {
            long n = rowsHolding(db, col, values);
            if (n > 0) {
                found.put(col.key(), n);
            }
        }
        return found;
    }

    /** Rows of one column holding one of {@code values} (uuid columns: equal to a UUID value; others: containing it). */
    public static long rowsHolding(DataSource db, Column col, Object... values) throws SQLException {
        List<Object> params = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        for (Object v : values) {
            if (col.uuid() && !(v instanceof UUID)) {
                continue;
            }
            where.append(where.isEmpty() ? "" : " or ");
            if (col.uuid()) {
                where.append('"').append(col.name()).append("\" = ?");
                params.add(v);
            } else {
                where.append("strpos(lower(\"").append(col.name()).append("\"::text), lower(?)) > 0");
                params.add(v.toString());
            }
        }
        if (where.isEmpty()) {
            return 0;
        }
        return count(db, "select count(*) from \"" + col.table() + "\" where " + where, params.toArray());
    }

    /** The one number a {@code select count(*) …} answers. */
    public static long count(DataSource db, String sql, Object... params) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
