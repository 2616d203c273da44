package dev.parley.usage.service;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;

/**
 * Stores a batch of usage events once each, whatever the redeliveries: one transaction inserts the batch with
 * {@code ON CONFLICT (request_id) DO NOTHING RETURNING request_id}, and only the rows it actually inserted go into the
 * daily rollups and the running spend totals, in the same transaction. A concurrent delivery of the same event
 * inserts nothing and adds nothing. Rollup and total rows are upserted in key order (no deadlock between batches).
 * Each event's cost comes from the price in force at its time; an event without a price is stored with cost null and
 * counted (never as zero).
 */
@ApplicationScoped
public class Ingest {
    /** Upper bounds (ms) of the latency buckets kept in the rollups; the last bucket is everything above. */
    public static final int[] LATENCY_BOUNDS_MS = {100, 250, 500, 1000, 2000, 4000, 8000, 15000, 30000, 60000, 120000};
    public static final int BUCKETS = LATENCY_BOUNDS_MS.length + 1;
    /** Advisory lock: ingest holds it shared, a recompute exclusively (rebuilding rows ingest would add to). */
    public static final long REBUILD_LOCK = 0x7061726c6579L;

    /** What a batch did. */
    public record Outcome(int stored, int duplicates) { }

    private final DataSource dataSource;
    private final PriceCatalogue prices;
    private final Budgets budgets;
    private final MeterRegistry registry;

    public Ingest(DataSource dataSource, PriceCatalogue prices, Budgets budgets, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.prices = prices;
        this.budgets = budgets;
        this.registry = registry;
    }

    static int bucket(int latencyMs) {
        for (int i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
            if (latencyMs <= LATENCY_BOUNDS_MS[i]) {
                return i;
            }
        }
        return LATENCY_BOUNDS_MS.length;
    }

    /** Sums of one rollup row. */
    static final class Sums {
        long requests;
        long errors;
        long prompt;
        long completion;
        long cached;
        long reasoning;
        long cacheWrite;
        long images;
        BigDecimal cost = BigDecimal.ZERO;
        long unpriced;
        long latencySum;
        final long[] buckets = new long[BUCKETS];

        void add(UsageEvent e, BigDecimal c) {
            requests++;
            errors += e.failed() ? 1 : 0;
            prompt += e.promptTokens();
            completion += e.completionTokens();
            cached += e.cachedTokens();
            reasoning += e.reasoningTokens();
            cacheWrite += e.cacheWriteTokens();
            images += e.images();
            if (c == null) {
                unpriced++;
            } else {
                cost = cost.add(c);
            }
            latencySum += e.latencyMs();
            buckets[bucket(e.latencyMs())]++;
        }
    }

    public Outcome store(List<UsageEvent> batch) {
        if (batch.isEmpty()) {
            return new Outcome(0, 0);
        }
        // in request_id order: two overlapping deliveries then lock the same rows in the same order (no deadlock)
        List<UsageEvent> events = new ArrayList<>(batch);
        events.sort(java.util.Comparator.comparing(UsageEvent::requestId));
        int n = events.size();
        BigDecimal[] costs = new BigDecimal[n];
        Long[] priceIds = new Long[n];
        for (int i = 0; i < n; i++) {
            UsageEvent e = events.get(i);
            Price p = prices.resolve(e.provider(), e.model(), e.occurredAt());
            if (p != null) {
                costs[i] = CostCalculator.cost(p, e.promptTokens(), e.completionTokens(), e.cachedTokens(), e.reasoningTokens(),
                        e.cacheWriteTokens(), e.images());
                priceIds[i] = p.id();
            }
        }
        List<Budgets.Crossing> crossings = new ArrayList<>();
        List<Integer> stored = new ArrayList<>();
        Map<UUID, UUID> owners = new TreeMap<>();
        QuarkusTransaction.requiringNew().run(() -> {
            crossings.clear();
            stored.clear();
            owners.clear();
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock_shared(?)")) {
                    lock.setLong(1, REBUILD_LOCK);
                    lock.execute();
                }
                Set<UUID> inserted = insert(c, events, costs, priceIds);
                Map<String, Sums> perUser = new TreeMap<>();
                Map<String, Sums> perModel = new TreeMap<>();
                Map<String, BigDecimal> spend = new TreeMap<>();
                String sep = Budgets.SEP;
                for (int i = 0; i < n; i++) {
                    UsageEvent e = events.get(i);
                    if (!inserted.remove(e.requestId())) {
                        continue; // a duplicate (or a repeat within the batch): stored and counted before
                    }
                    stored.add(i);
                    LocalDate day = e.occurredAt().atZone(ZoneOffset.UTC).toLocalDate();
                    perUser.computeIfAbsent(e.userId() + sep + day + sep + e.provider() + sep + e.model(), k -> new Sums()).add(e, costs[i]);
                    perModel.computeIfAbsent(day + sep + e.provider() + sep + e.model(), k -> new Sums()).add(e, costs[i]);
                    if (e.accessKeyId() != null) {
                        owners.putIfAbsent(e.accessKeyId(), e.userId());
                    }
                    if (costs[i] == null) {
                        continue;
                    }
                    LocalDate month = day.withDayOfMonth(1);
                    spend.merge(Budgets.spendKey("user", e.userId(), "d", day), costs[i], BigDecimal::add);
                    spend.merge(Budgets.spendKey("user", e.userId(), "m", month), costs[i], BigDecimal::add);
                    if (e.accessKeyId() != null) {
                        spend.merge(Budgets.spendKey("key", e.accessKeyId(), "d", day), costs[i], BigDecimal::add);
                        spend.merge(Budgets.spendKey("key", e.accessKeyId(), "m", month), costs[i], BigDecimal::add);
                    }
                }
                upsertDaily(c, perUser, true);
                upsertDaily(c, perModel, false);
                budgets.keyOwners(c, owners);
                crossings.addAll(budgets.addSpend(c, spend));
            } catch (SQLException ex) {
                throw new IllegalStateException("storing usage events failed: " + ex.getMessage(), ex);
            }
        });
        // after commit only: a rolled-back batch, delivered again, is counted once
        budgets.ownersRecorded(owners.keySet());
        // one counter update per provider and model of the batch, not five meter lookups per event
        Map<String, long[]> perModel = new java.util.HashMap<>();
        Map<String, BigDecimal> costPerModel = new java.util.HashMap<>();
        for (int i : stored) {
            UsageEvent e = events.get(i);
            String key = e.provider() + Budgets.SEP + e.model();
            long[] c = perModel.computeIfAbsent(key, k -> new long[4]);
            c[0]++;
            c[1] += e.promptTokens();
            c[2] += e.completionTokens();
            if (costs[i] == null) {
                c[3]++;
            } else {
                costPerModel.merge(key, costs[i], BigDecimal::add);
            }
        }
        perModel.forEach((key, c) -> {
            String[] pm = key.split(Budgets.SEP, 2);
            registry.counter("parley_usage_events_ingested_total", "provider", pm[0], "model", pm[1]).increment(c[0]);
            registry.counter("parley_usage_prompt_tokens_total", "provider", pm[0], "model", pm[1]).increment(c[1]);
            registry.counter("parley_usage_completion_tokens_total", "provider", pm[0], "model", pm[1]).increment(c[2]);
            if (c[3] > 0) {
                registry.counter("parley_usage_unpriced_events_total", "provider", pm[0], "model", pm[1]).increment(c[3]);
            }
            BigDecimal cost = costPerModel.get(key);
            if (cost != null) {
                registry.counter("parley_usage_cost_usd_total", "provider", pm[0], "model", pm[1]).increment(cost.doubleValue());
            }
        });
        Outcome outcome = new Outcome(stored.size(), n - stored.size());
        registry.counter("parley_usage_duplicates_dropped_total").increment(outcome.duplicates());
        budgets.announce(crossings);
        return outcome;
    }

    private static Set<UUID> insert(Connection c, List<UsageEvent> events, BigDecimal[] costs, Long[] priceIds) throws SQLException {
        int n = events.size();
        UUID[] rid = new UUID[n];
        Timestamp[] at = new Timestamp[n];
        UUID[] user = new UUID[n];
        UUID[] key = new UUID[n];
        UUID[] session = new UUID[n];
        UUID[] message = new UUID[n];
        String[] provider = new String[n];
        String[] model = new String[n];
        String[] deployment = new String[n];
        Long[] prompt = new Long[n];
        Long[] completion = new Long[n];
        Long[] cached = new Long[n];
        Long[] reasoning = new Long[n];
        Long[] cacheWrite = new Long[n];
        Integer[] images = new Integer[n];
        Integer[] latency = new Integer[n];
        Integer[] ttft = new Integer[n];
        String[] status = new String[n];
        Boolean[] streamed = new Boolean[n];
        for (int i = 0; i < n; i++) {
            UsageEvent e = events.get(i);
            rid[i] = e.requestId();
            at[i] = Timestamp.from(e.occurredAt());
            user[i] = e.userId();
            key[i] = e.accessKeyId();
            session[i] = e.sessionId();
            message[i] = e.messageId();
            provider[i] = e.provider();
            model[i] = e.model();
            deployment[i] = e.deployment();
            prompt[i] = e.promptTokens();
            completion[i] = e.completionTokens();
            cached[i] = e.cachedTokens();
            reasoning[i] = e.reasoningTokens();
            cacheWrite[i] = e.cacheWriteTokens();
            images[i] = e.images();
            latency[i] = e.latencyMs();
            ttft[i] = e.ttftMs();
            status[i] = e.status();
            streamed[i] = e.streamed();
        }
        String sql = """
                insert into usage_events (request_id, occurred_at, user_id, access_key_id, session_id, message_id, provider, model,
                  deployment, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cache_write_tokens, images,
                  latency_ms, ttft_ms, status, streamed, cost_usd, price_id)
                select * from unnest(?::uuid[], ?::timestamptz[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::varchar[],
                  ?::varchar[], ?::varchar[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::int[], ?::int[],
                  ?::int[], ?::varchar[], ?::boolean[], ?::numeric[], ?::bigint[])
                on conflict (request_id) do nothing returning request_id""";
        Set<UUID> inserted = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            ps.setArray(p++, c.createArrayOf("uuid", rid));
            ps.setArray(p++, c.createArrayOf("timestamptz", at));
            ps.setArray(p++, c.createArrayOf("uuid", user));
            ps.setArray(p++, c.createArrayOf("uuid", key));
            ps.setArray(p++, c.createArrayOf("uuid", session));
            ps.setArray(p++, c.createArrayOf("uuid", message));
            ps.setArray(p++, c.createArrayOf("varchar", provider));
            ps.setArray(p++, c.createArrayOf("varchar", model));
            ps.setArray(p++, c.createArrayOf("varchar", deployment));
            ps.setArray(p++, c.createArrayOf("bigint", prompt));
            ps.setArray(p++, c.createArrayOf("bigint", completion));
            ps.setArray(p++, c.createArrayOf("bigint", cached));
            ps.setArray(p++, c.createArrayOf("bigint", reasoning));
            ps.setArray(p++, c.createArrayOf("bigint", cacheWrite));
            ps.setArray(p++, c.createArrayOf("int4", images));
            ps.setArray(p++, c.createArrayOf("int4", latency));
            ps.setArray(p++, c.createArrayOf("int4", ttft));
            ps.setArray(p++, c.createArrayOf("varchar", status));
            ps.setArray(p++, c.createArrayOf("bool", streamed));
            ps.setArray(p++, c.createArrayOf("numeric", costs));
            ps.setArray(p, c.createArrayOf("bigint", priceIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return inserted;
    }

    /** Adds the sums to the daily rollups (per user, or across users), in key order. */
    static void upsertDaily(Connection c, Map<String, Sums> sums, boolean perUser) throws SQLException {
        if (sums.isEmpty()) {
            return;
        }
        String table = perUser ? "usage_daily" : "usage_daily_all";
        String keyCols = perUser ? "user_id, day, provider, model" : "day, provider, model";
        String sql = "insert into " + table + " (" + keyCols + ", requests, errors, prompt_tokens, completion_tokens, cached_tokens, "
                + "reasoning_tokens, cache_write_tokens, images, cost_usd, unpriced, latency_ms_sum, latency_buckets) values ("
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
            for (Map.Entry<String, Sums> en : sums.entrySet()) {
                String[] k = en.getKey().split(Budgets.SEP, -1);
                Sums s = en.getValue();
                int p = 1;
                if (perUser) {
                    ps.setObject(p++, UUID.fromString(k[0]));
                    ps.setObject(p++, LocalDate.parse(k[1]));
                    ps.setString(p++, k[2]);
                    ps.setString(p++, k[3]);
                } else {
                    ps.setObject(p++, LocalDate.parse(k[0]));
                    ps.setString(p++, k[1]);
                    ps.setString(p++, k[2]);
                }
                ps.setLong(p++, s.requests);
                ps.setLong(p++, s.errors);
                ps.setLong(p++, s.prompt);
                ps.setLong(p++, s.completion);
                ps.setLong(p++, s.cached);
                ps.setLong(p++, s.reasoning);
                ps.setLong(p++, s.cacheWrite);
                ps.setLong(p++, s.images);
                ps.setBigDecimal(p++, s.cost);
                ps.setLong(p++, s.unpriced);
                ps.setLong(p++, s.latencySum);
                Long[] b = new Long[BUCKETS];
                for (int i = 0; i < BUCKETS; i++) {
                    b[i] = s.buckets[i];
                }
                Array arr = c.createArrayOf("bigint", b);
                ps.setArray(p, arr);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
