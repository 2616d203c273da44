package dev.parley.usage.repository;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/** A user's whole record in this service, for an account's deletion and its export. */
@ApplicationScoped
public class AccountRepository {
    /** The user id anonymized records carry. */
    public static final UUID NOBODY = new UUID(0, 0);

    private final Jdbc jdbc;

    public AccountRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Everything of the user and of the user's access keys; {@code keepEvents}: the call records stay, anonymized. */
    public void delete(UUID user, boolean keepEvents) {
        jdbc.with("deleting an account's usage", c -> {
            List<UUID> keys = keysOf(c, user);
            if (keepEvents) {
                Jdbc.update(c, "update usage_events set user_id = ?, access_key_id = null, session_id = null, message_id = null "
                        + "where user_id = ?", NOBODY, user);
            } else {
                Jdbc.update(c, "delete from usage_events where user_id = ?", user);
            }
            Jdbc.update(c, "delete from usage_daily where user_id = ?", user);
            for (UUID key : keys) {
                Jdbc.update(c, "delete from spend_totals where kind = 'key' and subject_id = ?", key);
                Jdbc.update(c, "delete from budget_crossings where kind = 'key' and subject_id = ?", key);
                Jdbc.update(c, "delete from budgets where kind in ('key', 'keyadmin') and subject_id = ?", key);
            }
            Jdbc.update(c, "delete from spend_totals where kind = 'user' and subject_id = ?", user);
            Jdbc.update(c, "delete from budget_crossings where kind = 'user' and subject_id = ?", user);
            Jdbc.update(c, "delete from budgets where kind in ('user', 'admin') and subject_id = ?", user);
            Jdbc.update(c, "delete from key_owners where user_id = ?", user);
            return null;
        });
    }

    private static List<UUID> keysOf(Connection c, UUID user) throws SQLException {
        List<UUID> keys = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select access_key_id from key_owners where user_id = ?")) {
            ps.setObject(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getObject(1, UUID.class));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("select distinct access_key_id from usage_events where user_id = ? and access_key_id is not null")) {
            ps.setObject(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID k = rs.getObject(1, UUID.class);
                    if (!keys.contains(k)) {
                        keys.add(k);
                    }
                }
            }
        }
        return keys;
    }

    /** One page of the user's call records, oldest first, after {@code afterRequestId} in (time, id) order. */
    public List<Map<String, Object>> events(UUID user, java.time.Instant afterTime, UUID afterId, int limit) {
        String sql = "select request_id, occurred_at, access_key_id, session_id, message_id, provider, model, deployment, "
                + "prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cache_write_tokens, images, latency_ms, "
                + "ttft_ms, status, streamed, cost_usd from usage_events where user_id = ?"
                + (afterTime == null ? "" : " and (occurred_at, request_id) > (?, ?)") + " order by occurred_at, request_id limit ?";
        return jdbc.with("exporting usage", c -> {
            List<Map<String, Object>> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setObject(i++, user);
                if (afterTime != null) {
                    ps.setTimestamp(i++, java.sql.Timestamp.from(afterTime));
                    ps.setObject(i++, afterId);
                }
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("request_id", rs.getObject(1, UUID.class));
                        e.put("occurred_at", rs.getTimestamp(2).toInstant());
                        e.put("access_key_id", rs.getObject(3, UUID.class));
                        e.put("session_id", rs.getObject(4, UUID.class));
                        e.put("message_id", rs.getObject(5, UUID.class));
                        e.put("provider", rs.getString(6));
                        e.put("model", rs.getString(7));
                        e.put("deployment", rs.getString(8));
                        e.put("prompt_tokens", rs.getLong(9));
                        e.put("completion_tokens", rs.getLong(10));
                        e.put("cached_tokens", rs.getLong(11));
                        e.put("reasoning_tokens", rs.getLong(12));
                        e.put("cache_write_tokens", rs.getLong(13));
                        e.put("images", rs.getInt(14));
                        e.put("latency_ms", rs.getInt(15));
                        e.put("ttft_ms", rs.getObject(16));
                        e.put("status", rs.getString(17));
                        e.put("streamed", rs.getBoolean(18));
                        BigDecimal cost = rs.getBigDecimal(19);
                        e.put("cost_usd", cost == null ? null : cost.toPlainString());
                        out.add(e);
                    }
                }
            }
            return out;
        });
    }

    /** The user's own and the user's keys' budgets as stored ({@code kind}, subject, the four limits). */
    public List<Map<String, Object>> budgets(UUID user) {
        String sql = "select kind, subject_id, daily_soft_usd, daily_hard_usd, monthly_soft_usd, monthly_hard_usd, updated_at "
                + "from budgets where (kind in ('user', 'admin') and subject_id = ?) or (kind in ('key', 'keyadmin') and subject_id in "
                + "(select access_key_id from key_owners where user_id = ?)) order by kind, subject_id";
        return jdbc.with("exporting budgets", c -> {
            List<Map<String, Object>> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, user);
                ps.setObject(2, user);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> b = new LinkedHashMap<>();
                        b.put("kind", rs.getString(1));
                        b.put("subject_id", rs.getObject(2, UUID.class));
                        b.put("daily_soft_usd", plain(rs.getBigDecimal(3)));
                        b.put("daily_hard_usd", plain(rs.getBigDecimal(4)));
                        b.put("monthly_soft_usd", plain(rs.getBigDecimal(5)));
                        b.put("monthly_hard_usd", plain(rs.getBigDecimal(6)));
                        b.put("updated_at", rs.getTimestamp(7).toInstant());
                        out.add(b);
                    }
                }
            }
            return out;
        });
    }

    private static String plain(BigDecimal d) {
        return d == null ? null : d.toPlainString();
    }
}
