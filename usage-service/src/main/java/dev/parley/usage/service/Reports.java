package dev.parley.usage.service;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

/**
 * Reports. Whole UTC days come from the daily rollups (per user, or across users for an admin's report over
 * everyone); the parts of days at the ends of a range that does not start or end at midnight, and anything filtered
 * or grouped by session, come from the raw events through their (user, time) and (session, time) indexes.
 */
@ApplicationScoped
public class Reports {
    /** The filters of a report; null = not filtered. {@code user} null = every user (admins only). */
    public record Filter(UUID user, Instant from, Instant to, UUID session, String provider, String model) { }

    /** One line of sums. */
    public static final class Line {
        public long requests;
        public long errors;
        public long promptTokens;
        public long completionTokens;
        public BigDecimal cost = BigDecimal.ZERO;
        public long unpriced;
        public long latencySum;
        public final long[] buckets = new long[Ingest.BUCKETS];

        void add(ResultSet rs) throws SQLException {
            requests += rs.getLong("requests");
            errors += rs.getLong("errors");
            promptTokens += rs.getLong("prompt_tokens");
            completionTokens += rs.getLong("completion_tokens");
            BigDecimal c = rs.getBigDecimal("cost_usd");
            if (c != null) {
                cost = cost.add(c);
            }
            unpriced += rs.getLong("unpriced");
            latencySum += rs.getLong("latency_ms_sum");
            java.sql.Array a = rs.getArray("latency_buckets");
            if (a != null) {
                Object[] arr = (Object[]) a.getArray();
                for (int i = 0; i < Math.min(arr.length, buckets.length); i++) {
                    buckets[i] += ((Number) arr[i]).longValue();
                }
            }
        }

        /** The 95th percentile latency from the buckets: the bucket's upper bound, interpolated within it. */
        public Long p95() {
            if (requests == 0) {
                return null;
            }
            double target = requests * 0.95;
            long seen = 0;
            for (int i = 0; i < buckets.length; i++) {
                if (seen + buckets[i] >= target && buckets[i] > 0) {
                    long lo = i == 0 ? 0 : Ingest.LATENCY_BOUNDS_MS[i - 1];
                    long hi = i < Ingest.LATENCY_BOUNDS_MS.length ? Ingest.LATENCY_BOUNDS_MS[i] : lo * 2;
                    return Math.round(lo + (hi - lo) * ((target - seen) / buckets[i]));
                }
                seen += buckets[i];
            }
            return null;
        }
    }

    private final DataSource dataSource;

    public Reports(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Sums grouped by {@code group} (day, model, provider, session, or null for one line), keys in order. */
    public Map<String, Line> sums(Filter f, String group) {
        Map<String, Line> out = new java.util.TreeMap<>();
        boolean raw = f.session() != null || "session".equals(group);
        try (Connection c = dataSource.getConnection()) {
            if (raw) {
                rawSums(c, f, f.from(), f.to(), group, out);
                return out;
            }
            // whole days [firstDay, endDay) from the rollups; the partial days at the ends from the raw events
            LocalDate firstDay = f.from() == null ? null : ceilDay(f.from());
            LocalDate endDay = f.to() == null ? null : f.to().atZone(ZoneOffset.UTC).toLocalDate();
            if (firstDay != null && endDay != null && !firstDay.isBefore(endDay)) {
                rawSums(c, f, f.from(), f.to(), group, out);
                return out;
            }
            rollupSums(c, f, firstDay, endDay, group, out);
            if (f.from() != null && !f.from().equals(firstDay.atStartOfDay(ZoneOffset.UTC).toInstant())) {
                rawSums(c, f, f.from(), firstDay.atStartOfDay(ZoneOffset.UTC).toInstant(), group, out);
            }
            if (f.to() != null && !f.to().equals(endDay.atStartOfDay(ZoneOffset.UTC).toInstant())) {
                rawSums(c, f, endDay.atStartOfDay(ZoneOffset.UTC).toInstant(), f.to(), group, out);
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("report failed: " + e.getMessage(), e);
        }
    }

    private static LocalDate ceilDay(Instant i) {
        LocalDate d = i.atZone(ZoneOffset.UTC).toLocalDate();
        return d.atStartOfDay(ZoneOffset.UTC).toInstant().equals(i) ? d : d.plusDays(1);
    }

    private static String groupExpr(String group, boolean rollup) {
        if (group == null) {
            return "''";
        }
        return switch (group) {
            case "day" -> rollup ? "to_char(day, 'YYYY-MM-DD')" : "to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD')";
            case "model" -> "provider || '/' || model";
            case "provider" -> "provider";
            case "session" -> "coalesce(session_id::text, '')";
            case "day_model" -> (rollup ? "to_char(day, 'YYYY-MM-DD')" : "to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD')")
                    + " || '|' || provider || '/' || model";
            default -> throw new IllegalArgumentException(group);
        };
    }

    private static void rollupSums(Connection c, Filter f, LocalDate from, LocalDate to, String group, Map<String, Line> out)
            throws SQLException {
        String table = f.user() == null ? "usage_daily_all" : "usage_daily";
        StringBuilder sql = new StringBuilder("select ").append(groupExpr(group, true)).append(" as g, requests, errors, prompt_tokens, ")
                .append("completion_tokens, cost_usd, unpriced, latency_ms_sum, latency_buckets from ").append(table).append(" where true");
        List<Object> params = new ArrayList<>();
        if (f.user() != null) {
            sql.append(" and user_id = ?");
            params.add(f.user());
        }
        if (from != null) {
            sql.append(" and day >= ?");
            params.add(from);
        }
        if (to != null) {
            sql.append(" and day < ?");
            params.add(to);
        }
        filters(f, sql, params);
        run(c, sql.toString(), params, out);
    }

    private static void rawSums(Connection c, Filter f, Instant from, Instant to, String group, Map<String, Line> out) throws SQLException {
        StringBuilder sql = new StringBuilder("select ").append(groupExpr(group, false)).append(" as g, count(*) as requests, ")
                .append("count(*) filter (where status <> 'success') as errors, sum(prompt_tokens) as prompt_tokens, ")
                .append("sum(completion_tokens) as completion_tokens, sum(cost_usd) as cost_usd, count(*) filter (where cost_usd is null) as unpriced, ")
                .append("sum(latency_ms) as latency_ms_sum, null::bigint[] as latency_buckets from usage_events where true");
        List<Object> params = new ArrayList<>();
        if (f.user() != null) {
            sql.append(" and user_id = ?");
            params.add(f.user());
        }
        if (f.session() != null) {
            sql.append(" and session_id = ?");
            params.add(f.session());
        }
        if (from != null) {
            sql.append(" and occurred_at >= ?");
            params.add(Timestamp.from(from));
        }
        if (to != null) {
            sql.append(" and occurred_at < ?");
            params.add(Timestamp.from(to));
        }
        filters(f, sql, params);
        sql.append(" group by 1");
        run(c, sql.toString(), params, out);
    }

    private static void filters(Filter f, StringBuilder sql, List<Object> params) {
        if (f.provider() != null) {
            sql.append(" and provider = ?");
            params.add(f.provider());
        }
        if (f.model() != null) {
            sql.append(" and model = ?");
            params.add(f.model());
        }
    }

    private static void run(Connection c, String sql, List<Object> params, Map<String, Line> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString("g"), k -> new Line()).add(rs);
                }
            }
        }
    }

    /** The events of one message (the caller's, or any user's for an admin: {@code user} null). */
    public List<Map<String, Object>> message(UUID user, UUID messageId) {
        String sql = "select request_id, occurred_at, provider, model, deployment, prompt_tokens, completion_tokens, cached_tokens, "
                + "reasoning_tokens, cache_write_tokens, images, latency_ms, ttft_ms, status, streamed, cost_usd, session_id "
                + "from usage_events where message_id = ?" + (user != null ? " and user_id = ?" : "") + " order by occurred_at";
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, messageId);
            if (user != null) {
                ps.setObject(2, user);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("request_id", rs.getObject(1, UUID.class));
                    m.put("occurred_at", rs.getTimestamp(2).toInstant());
                    m.put("provider", rs.getString(3));
                    m.put("model", rs.getString(4));
                    m.put("deployment", rs.getString(5));
                    m.put("prompt_tokens", rs.getLong(6));
                    m.put("completion_tokens", rs.getLong(7));
                    m.put("cached_tokens", rs.getLong(8));
                    m.put("reasoning_tokens", rs.getLong(9));
                    m.put("cache_write_tokens", rs.getLong(10));
                    m.put("images", rs.getInt(11));
                    m.put("latency_ms", rs.getInt(12));
                    m.put("ttft_ms", rs.getObject(13));
                    m.put("status", rs.getString(14));
                    m.put("streamed", rs.getBoolean(15));
                    m.put("cost_usd", rs.getBigDecimal(16));
                    m.put("session_id", rs.getObject(17, UUID.class));
                    out.add(m);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
