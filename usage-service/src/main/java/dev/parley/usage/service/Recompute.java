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
import java.util.Objects;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

/**
 * An admin's recompute after a price change: every event of the whole UTC days that cover the period gets its cost
 * again from the catalogue as it is now, and the rollups of those days and the spend totals of those days and months
 * are rebuilt from the events, in one transaction.
 */
@ApplicationScoped
public class Recompute {
    /** Events read, costs that changed, and the whole days covered. */
    public record Result(long events, long changed, LocalDate from, LocalDate to) { }

    private final DataSource dataSource;
    private final PriceCatalogue prices;

    public Recompute(DataSource dataSource, PriceCatalogue prices) {
        this.dataSource = dataSource;
        this.prices = prices;
    }

    static String bucketsExpr() {
        StringBuilder sb = new StringBuilder("array[");
        int lo = -1;
        for (int b : Ingest.LATENCY_BOUNDS_MS) {
            sb.append("count(*) filter (where latency_ms > ").append(lo).append(" and latency_ms <= ").append(b).append("), ");
            lo = b;
        }
        return sb.append("count(*) filter (where latency_ms > ").append(lo).append(")]::bigint[]").toString();
    }

    public Result run(Instant from, Instant to) {
        LocalDate fromDay = from.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate toDay = to.atZone(ZoneOffset.UTC).toLocalDate();
        if (!toDay.atStartOfDay(ZoneOffset.UTC).toInstant().equals(to)) {
            toDay = toDay.plusDays(1);
        }
        LocalDate d0 = fromDay;
        LocalDate d1 = toDay;
        prices.reload(); // the catalogue as the database has it now, whichever replica changed it
        return QuarkusTransaction.requiringNew().timeout(3600).call(() -> {
            try (Connection c = dataSource.getConnection()) {
                // ingest holds this lock shared: no batch adds to the rows being rebuilt meanwhile
                try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, Ingest.REBUILD_LOCK);
                    lock.execute();
                }
                long[] counts = costs(c, d0, d1);
                String sums = "count(*), count(*) filter (where status <> 'success'), sum(prompt_tokens), sum(completion_tokens), "
                        + "sum(cached_tokens), sum(reasoning_tokens), sum(cache_write_tokens), sum(images), coalesce(sum(cost_usd), 0), "
                        + "count(*) filter (where cost_usd is null), sum(latency_ms), " + bucketsExpr();
                String cols = "requests, errors, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cache_write_tokens, "
                        + "images, cost_usd, unpriced, latency_ms_sum, latency_buckets";
                String day = "(occurred_at at time zone 'UTC')::date";
                String range = " where occurred_at >= ? and occurred_at < ?";
                exec(c, "delete from usage_daily where day >= ? and day < ?", d0, d1);
                exec(c, "insert into usage_daily (user_id, day, provider, model, " + cols + ") select user_id, " + day + ", provider, model, "
                        + sums + " from usage_events" + range + " group by 1, 2, 3, 4", ts(d0), ts(d1));
                exec(c, "delete from usage_daily_all where day >= ? and day < ?", d0, d1);
                exec(c, "insert into usage_daily_all (day, provider, model, " + cols + ") select " + day + ", provider, model, "
                        + sums + " from usage_events" + range + " group by 1, 2, 3", ts(d0), ts(d1));
                // spend: the days, then the whole months that contain them
                LocalDate m0 = d0.withDayOfMonth(1);
                LocalDate m1 = d1.minusDays(1).withDayOfMonth(1).plusMonths(1);
                exec(c, "delete from spend_totals where period = 'd' and period_start >= ? and period_start < ?", d0, d1);
                exec(c, "delete from spend_totals where period = 'm' and period_start >= ? and period_start < ?", m0, m1);
                exec(c, "insert into spend_totals (kind, subject_id, period, period_start, cost_usd) select 'user', user_id, 'd', " + day
                        + ", sum(cost_usd) from usage_events" + range + " and cost_usd is not null group by 2, 4", ts(d0), ts(d1));
                exec(c, "insert into spend_totals (kind, subject_id, period, period_start, cost_usd) select 'key', access_key_id, 'd', " + day
                        + ", sum(cost_usd) from usage_events" + range + " and cost_usd is not null and access_key_id is not null group by 2, 4",
                        ts(d0), ts(d1));
                String month = "date_trunc('month', occurred_at at time zone 'UTC')::date";
                exec(c, "insert into spend_totals (kind, subject_id, period, period_start, cost_usd) select 'user', user_id, 'm', " + month
                        + ", sum(cost_usd) from usage_events" + range + " and cost_usd is not null group by 2, 4", ts(m0), ts(m1));
                exec(c, "insert into spend_totals (kind, subject_id, period, period_start, cost_usd) select 'key', access_key_id, 'm', " + month
                        + ", sum(cost_usd) from usage_events" + range + " and cost_usd is not null and access_key_id is not null group by 2, 4",
                        ts(m0), ts(m1));
                return new Result(counts[0], counts[1], d0, d1);
            } catch (SQLException e) {
                throw new IllegalStateException("recompute failed: " + e.getMessage(), e);
            }
        });
    }

    private static Timestamp ts(LocalDate d) {
        return Timestamp.from(d.atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    private static void exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i] instanceof LocalDate d ? d : params[i]);
            }
            ps.executeUpdate();
        }
    }

    /** New costs for the events of the days; the count read and changed. */
    private long[] costs(Connection c, LocalDate d0, LocalDate d1) throws SQLException {
        long read = 0;
        long changed = 0;
        try (PreparedStatement sel = c.prepareStatement("select request_id, occurred_at, provider, model, prompt_tokens, completion_tokens, "
                + "cached_tokens, reasoning_tokens, cache_write_tokens, images, cost_usd, price_id from usage_events "
                + "where occurred_at >= ? and occurred_at < ?");
             PreparedStatement upd = c.prepareStatement("update usage_events set cost_usd = ?, price_id = ? where request_id = ?")) {
            sel.setFetchSize(5000);
            sel.setTimestamp(1, ts(d0));
            sel.setTimestamp(2, ts(d1));
            int pending = 0;
            try (ResultSet rs = sel.executeQuery()) {
                while (rs.next()) {
                    read++;
                    Price p = prices.resolve(rs.getString(3), rs.getString(4), rs.getTimestamp(2).toInstant());
                    BigDecimal cost = p == null ? null : CostCalculator.cost(p, rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8),
                            rs.getLong(9), rs.getLong(10));
                    BigDecimal old = rs.getBigDecimal(11);
                    Long priceId = p == null ? null : p.id();
                    if ((old == null ? cost == null : cost != null && old.compareTo(cost) == 0) && Objects.equals(priceId, rs.getObject(12) == null
                            ? null : rs.getLong(12))) {
                        continue;
                    }
                    changed++;
                    upd.setBigDecimal(1, cost);
                    upd.setObject(2, priceId);
                    upd.setObject(3, rs.getObject(1, java.util.UUID.class));
                    upd.addBatch();
                    if (++pending == 1000) {
                        upd.executeBatch();
                        pending = 0;
                    }
                }
            }
            if (pending > 0) {
                upd.executeBatch();
            }
        }
        return new long[] {read, changed};
    }
}
