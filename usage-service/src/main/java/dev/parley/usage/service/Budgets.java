package dev.parley.usage.service;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.parley.usage.entity.BudgetLimits;
import dev.parley.usage.entity.SpendKey;
import dev.parley.usage.repository.BudgetRepository;
import dev.parley.usage.repository.SpendRepository;
import dev.parley.usage.repository.SpendRepository.Crossing;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
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
    private static final String SEP = "\u0001";

    /** The check's answer. */
    public record Check(boolean allowed, String reason) { }

    private final BudgetRepository stored;
    private final SpendRepository spend;
    private final MeterRegistry registry;
    private volatile Map<String, BudgetLimits> budgets = Map.of();
    private final Set<UUID> ownersKnown = ConcurrentHashMap.newKeySet();

    public Budgets(BudgetRepository stored, SpendRepository spend, MeterRegistry registry) {
        this.stored = stored;
        this.spend = spend;
        this.registry = registry;
    }

    @Scheduled(every = "10s", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        reload();
    }

    /** Rereads every budget (after a change here, and every 10 s). */
    public void reload() {
        Map<String, BudgetLimits> m = new HashMap<>();
        try {
            for (BudgetRepository.Stored b : stored.all()) {
                m.put(b.kind() + SEP + b.subject(), b.limits());
            }
        } catch (IllegalStateException e) {
            LOG.warnf("budgets could not be reread (%s); the previous ones stay in force", e.getMessage());
            return;
        }
        budgets = Map.copyOf(m);
    }

    /** One stored budget (kind default|admin|user|key|keyadmin), {@link BudgetLimits#NONE} when none is set. */
    public BudgetLimits stored(String kind, UUID subject) {
        return budgets.getOrDefault(kind + SEP + subject, BudgetLimits.NONE);
    }

    /** What applies to a user: the admin's budget for them (else the default), lowered by their own. */
    public BudgetLimits effectiveForUser(UUID user) {
        BudgetLimits admin = budgets.get("admin" + SEP + user);
        BudgetLimits base = admin != null ? admin : stored("default", DEFAULT);
        return base.lowerOf(stored("user", user));
    }

    /** What applies to an access key: an admin's budget for it, lowered by its owner's. */
    public BudgetLimits effectiveForKey(UUID key) {
        return stored("keyadmin", key).lowerOf(stored("key", key));
    }

    /** Sets a budget and rereads them. */
    public void put(String kind, UUID subject, BudgetLimits l, UUID by) {
        QuarkusTransaction.requiringNew().run(() -> stored.put(kind, subject, l, by));
        reload();
    }

    /** The user whose key it is, as its usage showed (null when the key has no usage yet). */
    public UUID keyOwner(UUID key) {
        return spend.keyOwner(key);
    }

    /** Records whose keys they are (inside ingest's transaction; keys this replica recorded before are skipped). */
    void recordKeyOwners(Map<UUID, UUID> owners) {
        Map<UUID, UUID> unknown = new TreeMap<>(owners);
        unknown.keySet().removeAll(ownersKnown);
        spend.recordKeyOwners(unknown);
    }

    /** After commit: these keys' owners are stored. */
    void ownersRecorded(Collection<UUID> keys) {
        ownersKnown.addAll(keys);
    }

    /**
     * Adds spend to the running totals (inside ingest's transaction, in key order) and returns the limits newly
     * reached (recorded once each).
     */
    List<Crossing> addSpend(SortedMap<SpendKey, BigDecimal> amounts) {
        List<Crossing> reached = new ArrayList<>();
        for (Map.Entry<SpendKey, BigDecimal> total : spend.add(amounts).entrySet()) {
            SpendKey k = total.getKey();
            BudgetLimits limits = "user".equals(k.kind()) ? effectiveForUser(k.subject()) : effectiveForKey(k.subject());
            for (String level : List.of("soft", "hard")) {
                BigDecimal limit = limits.get(k.period(), level);
                if (limit != null && total.getValue().compareTo(limit) >= 0) {
                    reached.add(new Crossing(k, level, limit, total.getValue()));
                }
            }
        }
        return spend.recordNew(reached);
    }

    /** After commit: each new crossing is logged and counted. */
    void announce(List<Crossing> crossings) {
        for (Crossing x : crossings) {
            String period = "d".equals(x.key().period()) ? "daily" : "monthly";
            registry.counter("parley_usage_budget_crossings_total", "kind", x.key().kind(), "period", period, "level", x.level())
                    .increment();
            LOG.infof("budget crossed: %s %s %s %s limit %s USD, spent %s USD", x.key().kind(), x.key().subject(), period,
                    x.level(), x.limit().toPlainString(), x.total().setScale(4, java.math.RoundingMode.HALF_UP).toPlainString());
        }
    }

    /** The spend so far in the current UTC day and month: {today, this month}. */
    public BigDecimal[] spent(String kind, UUID subject) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        return spend.spent(kind, subject, today, today.withDayOfMonth(1));
    }

    /** Whether the user (and the key) may make another call: no hard limit reached today or this month. */
    public Check check(UUID user, UUID key) {
        Check u = check("user", user, effectiveForUser(user));
        if (!u.allowed() || key == null) {
            return u;
        }
        return check("key", key, effectiveForKey(key));
    }

    private Check check(String kind, UUID subject, BudgetLimits limits) {
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
}
