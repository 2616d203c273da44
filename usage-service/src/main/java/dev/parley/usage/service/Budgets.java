package dev.parley.usage.service;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Budgets and the running spend they are checked against. Limits (USD, per UTC day and month, soft and hard) come
 * from the default for all users, or an admin's budget for that user instead, each lowered (never raised) by the
 * user's own; an access key has its own. Spend totals per user and key, per day and month, are kept by ingest in the
 * transaction that stores the events, so the check reads a few rows by primary key, never the raw events. A total
 * reaching a limit records a crossing once (a log line and a metric; hard ones also make the check refuse).
 * Budgets are held in memory and reread every 10 s (another replica's change applies within that).
 */
@ApplicationScoped
public class Budgets {
    private static final Logger LOG = Logger.getLogger(Budgets.class);
    public static final UUID DEFAULT = new UUID(0, 0);
    static final String SEP = "\u0001";

    /** Limits in USD; null = none. */
    public record Limits(BigDecimal dailySoft, BigDecimal dailyHard, BigDecimal monthlySoft, BigDecimal monthlyHard) {
        public static final Limits NONE = new Limits(null, null, null, null);

        BigDecimal get(String period, String level) {
            return "d".equals(period) ? ("soft".equals(level) ? dailySoft : dailyHard) : ("soft".equals(level) ? monthlySoft : monthlyHard);
        }

        /** Field by field, the lower of two limits (null = none). */
        Limits lowerOf(Limits o) {
            return new Limits(min(dailySoft, o.dailySoft), min(dailyHard, o.dailyHard), min(monthlySoft, o.monthlySoft),
                    min(monthlyHard, o.monthlyHard));
        }

        private static BigDecimal min(BigDecimal a, BigDecimal b) {
            return a == null ? b : b == null ? a : a.min(b);
        }
    }

    /** A limit reached. */
    public record Crossing(String kind, UUID subject, String period, LocalDate periodStart, String level, BigDecimal limit,
                           BigDecimal total) { }

    /** The check's answer. */
    public record Check(boolean allowed, String reason) { }

    private final DataSource dataSource;
    private final MeterRegistry registry;
    private volatile Map<String, Limits> budgets = Map.of();
    private final Set<UUID> ownersKnown = ConcurrentHashMap.newKeySet();

    public Budgets(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.registry = registry;
    }

    @Scheduled(every = "10s", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        reload();
    }

    /** Rereads every budget (after a change here, and every 10 s). */
    public void reload() {
        Map<String, Limits> m = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select kind, subject_id, daily_soft_usd, daily_hard_usd, monthly_soft_usd, "
                     + "monthly_hard_usd from budgets");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                m.put(rs.getString(1) + SEP + rs.getObject(2, UUID.class), new Limits(rs.getBigDecimal(3), rs.getBigDecimal(4),
                        rs.getBigDecimal(5), rs.getBigDecimal(6)));
            }
        } catch (SQLException e) {
            LOG.warnf("budgets could not be reread (%s); the previous ones stay in force", e.getMessage());
            return;
        }
        budgets = Map.copyOf(m);
    }

    /** One stored budget (kind default|admin|user|key), {@link Limits#NONE} when none is set. */
    public Limits stored(String kind, UUID subject) {
        return budgets.getOrDefault(kind + SEP + subject, Limits.NONE);
    }

    /** What applies to a user: the admin's budget for them (else the default), lowered by their own. */
    public Limits effectiveForUser(UUID user) {
        Limits admin = budgets.get("admin" + SEP + user);
        Limits base = admin != null ? admin : stored("default", DEFAULT);
        return base.lowerOf(stored("user", user));
    }

    /** What applies to an access key: an admin's budget for it, lowered by its owner's. */
    public Limits effectiveForKey(UUID key) {
        return stored("keyadmin", key).lowerOf(stored("key", key));
    }

    /** Sets a budget and rereads them. */
    public void put(String kind, UUID subject, Limits l, UUID by) {
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    insert into budgets (kind, subject_id, daily_soft_usd, daily_hard_usd, monthly_soft_usd, monthly_hard_usd, updated_at, updated_by)
                    values (?, ?, ?, ?, ?, ?, now(), ?)
                    on conflict (kind, subject_id) do update set daily_soft_usd = excluded.daily_soft_usd,
                      daily_hard_usd = excluded.daily_hard_usd, monthly_soft_usd = excluded.monthly_soft_usd,
                      monthly_hard_usd = excluded.monthly_hard_usd, updated_at = now(), updated_by = excluded.updated_by""")) {
                ps.setString(1, kind);
                ps.setObject(2, subject);
                ps.setBigDecimal(3, l.dailySoft());
                ps.setBigDecimal(4, l.dailyHard());
                ps.setBigDecimal(5, l.monthlySoft());
                ps.setBigDecimal(6, l.monthlyHard());
                ps.setObject(7, by);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        reload();
    }

    /** The user whose key it is, as its usage showed (null when the key has no usage yet). */
    public UUID keyOwner(UUID key) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select user_id from key_owners where access_key_id = ?")) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1, UUID.class) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records whose keys they are (inside ingest's transaction; keys this replica recorded before are skipped). */
    void keyOwners(Connection c, Map<UUID, UUID> owners) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into key_owners (access_key_id, user_id) values (?, ?) on conflict do nothing")) {
            boolean any = false;
            for (Map.Entry<UUID, UUID> en : owners.entrySet()) {
                if (ownersKnown.contains(en.getKey())) {
                    continue;
                }
                ps.setObject(1, en.getKey());
                ps.setObject(2, en.getValue());
                ps.addBatch();
                any = true;
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }

    /** After commit: these keys' owners are stored. */
    void ownersRecorded(java.util.Collection<UUID> keys) {
        ownersKnown.addAll(keys);
    }

    /**
     * Adds spend (keys {@code kind SEP subject SEP period SEP start}, in key order) to the running totals and returns
     * the limits newly reached (recorded once each).
     */
    List<Crossing> addSpend(Connection c, Map<String, BigDecimal> spend) throws SQLException {
        List<Crossing> out = new ArrayList<>();
        if (spend.isEmpty()) {
            return out;
        }
        try (PreparedStatement up = c.prepareStatement("""
                insert into spend_totals (kind, subject_id, period, period_start, cost_usd) values (?, ?, ?, ?, ?)
                on conflict (kind, subject_id, period, period_start) do update set cost_usd = spend_totals.cost_usd + excluded.cost_usd
                returning cost_usd""");
             PreparedStatement cross = c.prepareStatement("""
                insert into budget_crossings (kind, subject_id, period, period_start, level, limit_usd, total_usd)
                values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing""")) {
            for (Map.Entry<String, BigDecimal> en : spend.entrySet()) {
                String[] k = en.getKey().split(SEP, -1);
                String kind = k[0];
                UUID subject = UUID.fromString(k[1]);
                String period = k[2];
                LocalDate start = LocalDate.parse(k[3]);
                up.setString(1, kind);
                up.setObject(2, subject);
                up.setString(3, period);
                up.setObject(4, start);
                up.setBigDecimal(5, en.getValue());
                BigDecimal total;
                try (ResultSet rs = up.executeQuery()) {
                    rs.next();
                    total = rs.getBigDecimal(1);
                }
                Limits limits = "user".equals(kind) ? effectiveForUser(subject) : effectiveForKey(subject);
                for (String level : List.of("soft", "hard")) {
                    BigDecimal limit = limits.get(period, level);
                    if (limit == null || total.compareTo(limit) < 0) {
                        continue;
                    }
                    cross.setString(1, kind);
                    cross.setObject(2, subject);
                    cross.setString(3, period);
                    cross.setObject(4, start);
                    cross.setString(5, level);
                    cross.setBigDecimal(6, limit);
                    cross.setBigDecimal(7, total);
                    if (cross.executeUpdate() == 1) {
                        out.add(new Crossing(kind, subject, period, start, level, limit, total));
                    }
                }
            }
        }
        return out;
    }

    /** After commit: each new crossing is logged and counted. */
    void announce(List<Crossing> crossings) {
        for (Crossing x : crossings) {
            registry.counter("parley_usage_budget_crossings_total", "kind", x.kind(), "period", "d".equals(x.period()) ? "daily" : "monthly",
                    "level", x.level()).increment();
            LOG.infof("budget crossed: %s %s %s %s limit %s USD, spent %s USD", x.kind(), x.subject(),
                    "d".equals(x.period()) ? "daily" : "monthly", x.level(), x.limit().toPlainString(),
                    x.total().setScale(4, java.math.RoundingMode.HALF_UP).toPlainString());
        }
    }

    /** The spend so far in the current UTC day and month. */
    public BigDecimal[] spent(String kind, UUID subject) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        BigDecimal day = BigDecimal.ZERO;
        BigDecimal month = BigDecimal.ZERO;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select period, cost_usd from spend_totals where kind = ? and subject_id = ? and "
                        + "((period = 'd' and period_start = ?) or (period = 'm' and period_start = ?))")) {
            ps.setString(1, kind);
            ps.setObject(2, subject);
            ps.setObject(3, today);
            ps.setObject(4, today.withDayOfMonth(1));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if ("d".equals(rs.getString(1))) {
                        day = rs.getBigDecimal(2);
                    } else {
                        month = rs.getBigDecimal(2);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new BigDecimal[] {day, month};
    }

    /** Whether the user (and the key) may make another call: no hard limit reached today or this month. */
    public Check check(UUID user, UUID key) {
        Check u = check("user", user, effectiveForUser(user));
        if (!u.allowed() || key == null) {
            return u;
        }
        return check("key", key, effectiveForKey(key));
    }

    private Check check(String kind, UUID subject, Limits limits) {
        if (limits.dailyHard() == null && limits.monthlyHard() == null) {
            return new Check(true, null);
        }
        BigDecimal[] spent = spent(kind, subject);
        String who = "user".equals(kind) ? "user" : "access key";
        if (limits.dailyHard() != null && spent[0].compareTo(limits.dailyHard()) >= 0) {
            return new Check(false, "The " + who + "'s daily budget of " + limits.dailyHard().toPlainString() + " USD is spent.");
        }
        if (limits.monthlyHard() != null && spent[1].compareTo(limits.monthlyHard()) >= 0) {
            return new Check(false, "The " + who + "'s monthly budget of " + limits.monthlyHard().toPlainString() + " USD is spent.");
        }
        return new Check(true, null);
    }

    static String spendKey(String kind, UUID subject, String period, LocalDate start) {
        return kind + SEP + subject + SEP + period + SEP + start;
    }

    static Instant now() {
        return Instant.now();
    }
}
