package dev.parley.usage.repository;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.usage.entity.DailySums;
import dev.parley.usage.entity.MessageCall;
import dev.parley.usage.service.ModelFilter;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What reports read: sums from the daily rollups (whole UTC days) or from the raw events (parts of days, sessions),
 * grouped, and the calls of one message. Plain JDBC over the (user, time), (session, time) and (message) indexes.
 * A null filter value means "not filtered"; a null user means every user (the rollups across users).
 */
@ApplicationScoped
public class UsageReportRepository {
    private final Jdbc jdbc;

    public UsageReportRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Adds the rollups' sums of the whole days {@code [from, to)} (null: open) to {@code out}, by group. */
    public void addRollupSums(UUID user, LocalDate from, LocalDate to, String provider, ModelFilter model, String group,
                              Map<String, DailySums> out) {
        String table = user == null ? "usage_daily_all" : "usage_daily";
        StringBuilder sql = new StringBuilder("select ").append(groupExpr(group, true)).append(" as g, requests, errors, prompt_tokens, ")
                .append("completion_tokens, cost_usd, unpriced, latency_ms_sum, latency_buckets from ").append(table).append(" where true");
        List<Object> params = new ArrayList<>();
        if (user != null) {
            sql.append(" and user_id = ?");
            params.add(user);
        }
        if (from != null) {
            sql.append(" and day >= ?");
            params.add(from);
        }
        if (to != null) {
            sql.append(" and day < ?");
            params.add(to);
        }
        filters(provider, model, sql, params);
        run(sql.toString(), params, out);
    }

    /** Adds the sums of the raw events in {@code [from, to)} (null: open) to {@code out}, by group; no latency buckets. */
    public void addEventSums(UUID user, UUID session, Instant from, Instant to, String provider, ModelFilter model, String group,
                             Map<String, DailySums> out) {
        StringBuilder sql = new StringBuilder("select ").append(groupExpr(group, false)).append(" as g, count(*) as requests, ")
                .append("count(*) filter (where status <> 'success') as errors, sum(prompt_tokens) as prompt_tokens, ")
                .append("sum(completion_tokens) as completion_tokens, sum(cost_usd) as cost_usd, count(*) filter (where cost_usd is null) as unpriced, ")
                .append("sum(latency_ms) as latency_ms_sum, null::bigint[] as latency_buckets from usage_events where true");
        List<Object> params = new ArrayList<>();
        if (user != null) {
            sql.append(" and user_id = ?");
            params.add(user);
        }
        if (session != null) {
            sql.append(" and session_id = ?");
            params.add(session);
        }
        if (from != null) {
            sql.append(" and occurred_at >= ?");
            params.add(Timestamp.from(from));
        }
        if (to != null) {
            sql.append(" and occurred_at < ?");
            params.add(Timestamp.from(to));
        }
        filters(provider, model, sql, params);
        sql.append(" group by 1");
        run(sql.toString(), params, out);
    }

    /** The calls made for one message, oldest first: a user's ({@code user}), or anyone's ({@code user} null). */
    public List<MessageCall> callsOfMessage(UUID user, UUID messageId) {
        String sql = "select request_id, occurred_at, provider, model, deployment, prompt_tokens, completion_tokens, cached_tokens, "
                + "reasoning_tokens, cache_write_tokens, images, latency_ms, ttft_ms, status, streamed, cost_usd, session_id "
                + "from usage_events where message_id = ?" + (user != null ? " and user_id = ?" : "") + " order by occurred_at";
        return jdbc.with("reading a message's usage", c -> {
            List<MessageCall> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, messageId);
                if (user != null) {
                    ps.setObject(2, user);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new MessageCall(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant(), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                                rs.getLong(10), rs.getInt(11), rs.getInt(12), (Integer) rs.getObject(13), rs.getString(14),
                                rs.getBoolean(15), rs.getBigDecimal(16), rs.getObject(17, UUID.class)));
                    }
                }
            }
            return out;
        });
    }

    /** Group keys: day, model ({@code provider/model}), provider, session, day_model ({@code day|provider/model}); null: one line keyed "". */
    private static String groupExpr(String group, boolean rollup) {
        if (group == null) {
            return "''";
        }
        String day = rollup ? "to_char(day, 'YYYY-MM-DD')" : "to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD')";
        return switch (group) {
            case "day" -> day;
            case "model" -> "provider || '/' || model";
            case "provider" -> "provider";
            case "session" -> "coalesce(session_id::text, '')";
            case "day_model" -> day + " || '|' || provider || '/' || model";
            default -> throw new IllegalArgumentException(group);
        };
    }

    private static void filters(String provider, ModelFilter model, StringBuilder sql, List<Object> params) {
        if (provider != null) {
            sql.append(" and provider = ?");
            params.add(provider);
        }
        if (model == null) {
            return;
        }
        if (model.bare()) {
            sql.append(" and model = ?");
            params.add(model.model());
        } else {
            // provider/model, or a provider's own model name with a slash in it (both use the (provider, model) keys)
            sql.append(" and ((provider = ? and model = ?) or model = ?)");
            params.add(model.provider());
            params.add(model.model());
            params.add(model.asWritten());
        }
    }

    /** The providers that served a bare model name for this user (every user: null), at most a few. */
    public List<String> providersOf(UUID user, String model) {
        String table = user == null ? "usage_daily_all" : "usage_daily";
        String sql = "select distinct provider from " + table + " where model = ?" + (user != null ? " and user_id = ?" : "")
                + " union select distinct provider from usage_events where model = ?" + (user != null ? " and user_id = ?" : "")
                + " order by 1 limit 10";
        return jdbc.with("finding a model's providers", c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, model);
                if (user != null) {
                    ps.setObject(i++, user);
                }
                ps.setString(i++, model);
                if (user != null) {
                    ps.setObject(i, user);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    private void run(String sql, List<Object> params, Map<String, DailySums> out) {
        jdbc.with("report", c -> {
            sums(c, sql, params, out);
            return null;
        });
    }

    private static void sums(Connection c, String sql, List<Object> params, Map<String, DailySums> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString("g"), k -> new DailySums()).add(row(rs));
                }
            }
        }
    }

    /** One row's sums (a null cost, an unpriced-only group, adds nothing to the cost; raw rows have no buckets). */
    private static DailySums row(ResultSet rs) throws SQLException {
        DailySums s = new DailySums();
        s.requests = rs.getLong("requests");
        s.errors = rs.getLong("errors");
        s.promptTokens = rs.getLong("prompt_tokens");
        s.completionTokens = rs.getLong("completion_tokens");
        BigDecimal c = rs.getBigDecimal("cost_usd");
        if (c != null) {
            s.cost = c;
        }
        s.unpriced = rs.getLong("unpriced");
        s.latencySum = rs.getLong("latency_ms_sum");
        java.sql.Array a = rs.getArray("latency_buckets");
        if (a != null) {
            Object[] arr = (Object[]) a.getArray();
            for (int i = 0; i < Math.min(arr.length, s.buckets.length); i++) {
                s.buckets[i] = ((Number) arr[i]).longValue();
            }
        }
        return s;
    }
}
