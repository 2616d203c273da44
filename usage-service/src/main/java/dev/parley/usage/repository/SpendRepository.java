package dev.parley.usage.repository;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.UUID;

import dev.parley.usage.entity.SpendKey;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What budgets are checked against: the running spend per user and key, per UTC day and month ({@code spend_totals},
 * read by primary key), the limits crossed ({@code budget_crossings}, each once) and whose keys are whose
 * ({@code key_owners}, learnt from the keys' usage). Plain JDBC: ingest writes here in its transaction.
 */
@ApplicationScoped
public class SpendRepository {
    /** A limit reached: by which total, at which level (soft, hard), the limit and the total then. */
    public record Crossing(SpendKey key, String level, BigDecimal limit, BigDecimal total) { }

    private final Jdbc jdbc;

    public SpendRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Adds the amounts to their totals, in key order (no deadlock between batches); the new totals, in that order. */
    public Map<SpendKey, BigDecimal> add(SortedMap<SpendKey, BigDecimal> amounts) {
        Map<SpendKey, BigDecimal> totals = new LinkedHashMap<>();
        if (amounts.isEmpty()) {
            return totals;
        }
        return jdbc.with("storing usage events", c -> {
            try (PreparedStatement up = c.prepareStatement("""
                    insert into spend_totals (kind, subject_id, period, period_start, cost_usd) values (?, ?, ?, ?, ?)
                    on conflict (kind, subject_id, period, period_start) do update set cost_usd = spend_totals.cost_usd + excluded.cost_usd
                    returning cost_usd""")) {
                for (Map.Entry<SpendKey, BigDecimal> en : amounts.entrySet()) {
                    SpendKey k = en.getKey();
                    up.setString(1, k.kind());
                    up.setObject(2, k.subject());
                    up.setString(3, k.period());
                    up.setObject(4, k.start());
                    up.setBigDecimal(5, en.getValue());
                    try (ResultSet rs = up.executeQuery()) {
                        rs.next();
                        totals.put(k, rs.getBigDecimal(1));
                    }
                }
            }
            return totals;
        });
    }

    /** Records the crossings not recorded before; answers those (each crossing is recorded once, whoever saw it). */
    public List<Crossing> recordNew(List<Crossing> crossings) {
        List<Crossing> out = new ArrayList<>();
        if (crossings.isEmpty()) {
            return out;
        }
        return jdbc.with("storing usage events", c -> {
            try (PreparedStatement cross = c.prepareStatement("""
                    insert into budget_crossings (kind, subject_id, period, period_start, level, limit_usd, total_usd)
                    values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing""")) {
                for (Crossing x : crossings) {
                    cross.setString(1, x.key().kind());
                    cross.setObject(2, x.key().subject());
                    cross.setString(3, x.key().period());
                    cross.setObject(4, x.key().start());
                    cross.setString(5, x.level());
                    cross.setBigDecimal(6, x.limit());
                    cross.setBigDecimal(7, x.total());
                    if (cross.executeUpdate() == 1) {
                        out.add(x);
                    }
                }
            }
            return out;
        });
    }

    /** The spend of a user or key ({@code kind}) on a day and in the month starting at {@code monthStart}: {day, month}. */
    public BigDecimal[] spent(String kind, UUID subject, LocalDate day, LocalDate monthStart) {
        return jdbc.with("reading spend", c -> {
            BigDecimal inDay = BigDecimal.ZERO;
            BigDecimal inMonth = BigDecimal.ZERO;
            try (PreparedStatement ps = c.prepareStatement("select period, cost_usd from spend_totals where kind = ? and subject_id = ? and "
                    + "((period = 'd' and period_start = ?) or (period = 'm' and period_start = ?))")) {
                ps.setString(1, kind);
                ps.setObject(2, subject);
                ps.setObject(3, day);
                ps.setObject(4, monthStart);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if ("d".equals(rs.getString(1))) {
                            inDay = rs.getBigDecimal(2);
                        } else {
                            inMonth = rs.getBigDecimal(2);
                        }
                    }
                }
            }
            return new BigDecimal[] {inDay, inMonth};
        });
    }

    /** The user whose key it is, as its usage showed (null when the key has no usage yet). */
    public UUID keyOwner(UUID key) {
        return jdbc.with("reading a key's owner", c -> {
            try (PreparedStatement ps = c.prepareStatement("select user_id from key_owners where access_key_id = ?")) {
                ps.setObject(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getObject(1, UUID.class) : null;
                }
            }
        });
    }

    /** Records whose keys they are (key → user; a key recorded before keeps its owner). */
    public void recordKeyOwners(Map<UUID, UUID> owners) {
        if (owners.isEmpty()) {
            return;
        }
        jdbc.with("storing usage events", c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into key_owners (access_key_id, user_id) values (?, ?) on conflict do nothing")) {
                for (Map.Entry<UUID, UUID> en : owners.entrySet()) {
                    ps.setObject(1, en.getKey());
                    ps.setObject(2, en.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * Rebuilds the totals of the days {@code [fromDay, toDay)} and of the months {@code [fromMonth, toMonth)} from the
     * events. Call it inside the recompute's transaction.
     */
    public void rebuild(LocalDate fromDay, LocalDate toDay, LocalDate fromMonth, LocalDate toMonth) {
        String day = "(occurred_at at time zone 'UTC')::date";
        String month = "date_trunc('month', occurred_at at time zone 'UTC')::date";
        String range = " where occurred_at >= ? and occurred_at < ?";
        String insert = "insert into spend_totals (kind, subject_id, period, period_start, cost_usd) select ";
        Timestamp d0 = UsageRollupRepository.ts(fromDay);
        Timestamp d1 = UsageRollupRepository.ts(toDay);
        Timestamp m0 = UsageRollupRepository.ts(fromMonth);
        Timestamp m1 = UsageRollupRepository.ts(toMonth);
        jdbc.with("recompute", c -> {
            Jdbc.update(c, "delete from spend_totals where period = 'd' and period_start >= ? and period_start < ?", fromDay, toDay);
            Jdbc.update(c, "delete from spend_totals where period = 'm' and period_start >= ? and period_start < ?", fromMonth, toMonth);
            Jdbc.update(c, insert + "'user', user_id, 'd', " + day + ", sum(cost_usd) from usage_events" + range
                    + " and cost_usd is not null group by 2, 4", d0, d1);
            Jdbc.update(c, insert + "'key', access_key_id, 'd', " + day + ", sum(cost_usd) from usage_events" + range
                    + " and cost_usd is not null and access_key_id is not null group by 2, 4", d0, d1);
            Jdbc.update(c, insert + "'user', user_id, 'm', " + month + ", sum(cost_usd) from usage_events" + range
                    + " and cost_usd is not null group by 2, 4", m0, m1);
            Jdbc.update(c, insert + "'key', access_key_id, 'm', " + month + ", sum(cost_usd) from usage_events" + range
                    + " and cost_usd is not null and access_key_id is not null group by 2, 4", m0, m1);
            return null;
        });
    }
}
