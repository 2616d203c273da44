package dev.parley.usage.repository;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.SortedMap;

import dev.parley.usage.entity.DailyKey;
import dev.parley.usage.entity.DailySums;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The daily rollups: {@code usage_daily} (per user, day, provider and model) and {@code usage_daily_all} (the same
 * across users). Ingest adds to them in the transaction that stores the events (upserts in key order, plain JDBC:
 * the hot path); a recompute rebuilds whole days from the events.
 */
@ApplicationScoped
public class UsageRollupRepository {
    private static final String COLUMNS = "requests, errors, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, "
            + "cache_write_tokens, images, cost_usd, unpriced, latency_ms_sum, latency_buckets";

    private final Jdbc jdbc;

    public UsageRollupRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Adds to the users' rows ({@code usage_daily}), in key order. */
    public void addToUsers(SortedMap<DailyKey, DailySums> sums) {
        add(sums, true);
    }

    /** Adds to the rows across users ({@code usage_daily_all}, keys without a user), in key order. */
    public void addToAll(SortedMap<DailyKey, DailySums> sums) {
        add(sums, false);
    }

    private void add(SortedMap<DailyKey, DailySums> sums, boolean perUser) {
        if (sums.isEmpty()) {
            return;
        }
        jdbc.with("storing usage events", c -> {
            upsert(c, sums, perUser);
            return null;
        });
    }

    private static void upsert(Connection c, Map<DailyKey, DailySums> sums, boolean perUser) throws SQLException {
        String table = perUser ? "usage_daily" : "usage_daily_all";
        String keyCols = perUser ? "user_id, day, provider, model" : "day, provider, model";
        String sql = "insert into " + table + " (" + keyCols + ", " + COLUMNS + ") values ("
                + (perUser ? "?, " : "") + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (" + keyCols + ") do update set "
                + "requests = " + table + ".requests + excluded.requests, errors = " + table + ".errors + excluded.errors, "
                + "prompt_tokens = " + table + ".prompt_tokens + excluded.prompt_tokens, "
                + "completion_tokens = " + table + ".completion_tokens + excluded.completion_tokens, "
                + "cached_tokens = " + table + ".cached_tokens + excluded.cached_tokens, "
                + "reasoning_tokens = " + table + ".reasoning_tokens + excluded.reasoning_tokens, "
                + "cache_write_tokens = " + table + ".cache_write_tokens + excluded.cache_write_tokens, "
                + "images = " + table + ".images + excluded.images, cost_usd = " + table + ".cost_usd + excluded.cost_usd, "
                + "unpriced = " + table + ".unpriced + excluded.unpriced, latency_ms_sum = " + table + ".latency_ms_sum + excluded.latency_ms_sum, "
                + "latency_buckets = (select array_agg(a + b order by i) from unnest(" + table + ".latency_buckets, "
                + "excluded.latency_buckets) with ordinality as t(a, b, i))";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Map.Entry<DailyKey, DailySums> en : sums.entrySet()) {
                DailyKey k = en.getKey();
                DailySums s = en.getValue();
                int p = 1;
                if (perUser) {
                    ps.setObject(p++, k.user());
                }
                ps.setObject(p++, k.day());
                ps.setString(p++, k.provider());
                ps.setString(p++, k.model());
                ps.setLong(p++, s.requests);
                ps.setLong(p++, s.errors);
                ps.setLong(p++, s.promptTokens);
                ps.setLong(p++, s.completionTokens);
                ps.setLong(p++, s.cachedTokens);
                ps.setLong(p++, s.reasoningTokens);
                ps.setLong(p++, s.cacheWriteTokens);
                ps.setLong(p++, s.images);
                ps.setBigDecimal(p++, s.cost);
                ps.setLong(p++, s.unpriced);
                ps.setLong(p++, s.latencySum);
                Long[] b = new Long[DailySums.BUCKETS];
                for (int i = 0; i < DailySums.BUCKETS; i++) {
                    b[i] = s.buckets[i];
                }
                Array arr = c.createArrayOf("bigint", b);
                ps.setArray(p, arr);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Rebuilds both rollups of the days {@code [from, to)} from the events. Call it inside the recompute's transaction. */
    public void rebuild(LocalDate from, LocalDate to) {
        String sums = "count(*), count(*) filter (where status <> 'success'), sum(prompt_tokens), sum(completion_tokens), "
                + "sum(cached_tokens), sum(reasoning_tokens), sum(cache_write_tokens), sum(images), coalesce(sum(cost_usd), 0), "
                + "count(*) filter (where cost_usd is null), sum(latency_ms), " + bucketCounts();
        String day = "(occurred_at at time zone 'UTC')::date";
        String range = " where occurred_at >= ? and occurred_at < ?";
        Timestamp start = ts(from);
        Timestamp end = ts(to);
        jdbc.with("recompute", c -> {
            Jdbc.update(c, "delete from usage_daily where day >= ? and day < ?", from, to);
            Jdbc.update(c, "insert into usage_daily (user_id, day, provider, model, " + COLUMNS + ") select user_id, " + day
                    + ", provider, model, " + sums + " from usage_events" + range + " group by 1, 2, 3, 4", start, end);
            Jdbc.update(c, "delete from usage_daily_all where day >= ? and day < ?", from, to);
            Jdbc.update(c, "insert into usage_daily_all (day, provider, model, " + COLUMNS + ") select " + day + ", provider, model, "
                    + sums + " from usage_events" + range + " group by 1, 2, 3", start, end);
            return null;
        });
    }

    /** The latency bucket counts of a group of events, as the rollups keep them. */
    static String bucketCounts() {
        StringBuilder sb = new StringBuilder("array[");
        int lo = -1;
        for (int b : DailySums.LATENCY_BOUNDS_MS) {
            sb.append("count(*) filter (where latency_ms > ").append(lo).append(" and latency_ms <= ").append(b).append("), ");
            lo = b;
        }
        return sb.append("count(*) filter (where latency_ms > ").append(lo).append(")]::bigint[]").toString();
    }

    static Timestamp ts(LocalDate d) {
        return Timestamp.from(d.atStartOfDay(ZoneOffset.UTC).toInstant());
    }
}
