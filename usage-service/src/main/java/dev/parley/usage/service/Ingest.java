package dev.parley.usage.service;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

import dev.parley.usage.entity.DailyKey;
import dev.parley.usage.entity.DailySums;
import dev.parley.usage.entity.Price;
import dev.parley.usage.entity.SpendKey;
import dev.parley.usage.entity.UsageEvent;
import dev.parley.usage.repository.RebuildLock;
import dev.parley.usage.repository.SpendRepository.Crossing;
import dev.parley.usage.repository.UsageEventRepository;
import dev.parley.usage.repository.UsageRollupRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Stores a batch of usage events once each, whatever the redeliveries: one transaction inserts the batch with
 * {@code ON CONFLICT (request_id) DO NOTHING RETURNING request_id}, and only the rows it actually inserted go into the
 * daily rollups and the running spend totals, in the same transaction. A concurrent delivery of the same event
 * inserts nothing and adds nothing. Rollup and total rows are upserted in key order (no deadlock between batches).
 * Each event's cost comes from the price in force at its time; an event without a price is stored with cost null and
 * counted (never as zero). The transaction holds the rebuild lock shared, so a recompute never rebuilds rows a batch
 * is adding to.
 */
@ApplicationScoped
public class Ingest {
    /** What a batch did. */
    public record Outcome(int stored, int duplicates) { }

    /** Between provider and model in the keys of the per-model counters (neither can contain it). */
    private static final String SEP = "\u0001";

    private final RebuildLock rebuildLock;
    private final UsageEventRepository events;
    private final UsageRollupRepository rollups;
    private final PriceCatalogue prices;
    private final Budgets budgets;
    private final MeterRegistry registry;

    public Ingest(RebuildLock rebuildLock, UsageEventRepository events, UsageRollupRepository rollups, PriceCatalogue prices,
                  Budgets budgets, MeterRegistry registry) {
        this.rebuildLock = rebuildLock;
        this.events = events;
        this.rollups = rollups;
        this.prices = prices;
        this.budgets = budgets;
        this.registry = registry;
    }

    public Outcome store(List<UsageEvent> batch) {
        if (batch.isEmpty()) {
            return new Outcome(0, 0);
        }
        // in request_id order: two overlapping deliveries then lock the same rows in the same order (no deadlock)
        List<UsageEvent> sorted = new ArrayList<>(batch);
        sorted.sort(Comparator.comparing(UsageEvent::requestId));
        int n = sorted.size();
        BigDecimal[] costs = new BigDecimal[n];
        Long[] priceIds = new Long[n];
        for (int i = 0; i < n; i++) {
            UsageEvent e = sorted.get(i);
            Price p = prices.resolve(e.provider(), e.model(), e.occurredAt());
            if (p != null) {
                costs[i] = CostCalculator.cost(p, e.promptTokens(), e.completionTokens(), e.cachedTokens(), e.reasoningTokens(),
                        e.cacheWriteTokens(), e.images());
                priceIds[i] = p.id();
            }
        }
        List<Crossing> crossings = new ArrayList<>();
        List<Integer> stored = new ArrayList<>();
        Map<UUID, UUID> owners = new TreeMap<>();
        QuarkusTransaction.requiringNew().run(() -> {
            crossings.clear();
            stored.clear();
            owners.clear();
            rebuildLock.holdShared();
            Set<UUID> inserted = events.insertNew(sorted, costs, priceIds);
            SortedMap<DailyKey, DailySums> perUser = new TreeMap<>();
            SortedMap<DailyKey, DailySums> perModel = new TreeMap<>();
            SortedMap<SpendKey, BigDecimal> spend = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                UsageEvent e = sorted.get(i);
                if (!inserted.remove(e.requestId())) {
                    continue; // a duplicate (or a repeat within the batch): stored and counted before
                }
                stored.add(i);
                LocalDate day = e.occurredAt().atZone(ZoneOffset.UTC).toLocalDate();
                perUser.computeIfAbsent(new DailyKey(e.userId(), day, e.provider(), e.model()), k -> new DailySums()).add(e, costs[i]);
                perModel.computeIfAbsent(new DailyKey(null, day, e.provider(), e.model()), k -> new DailySums()).add(e, costs[i]);
                if (e.accessKeyId() != null) {
                    owners.putIfAbsent(e.accessKeyId(), e.userId());
                }
                if (costs[i] == null) {
                    continue;
                }
                spend.merge(SpendKey.day("user", e.userId(), day), costs[i], BigDecimal::add);
                spend.merge(SpendKey.month("user", e.userId(), day), costs[i], BigDecimal::add);
                if (e.accessKeyId() != null) {
                    spend.merge(SpendKey.day("key", e.accessKeyId(), day), costs[i], BigDecimal::add);
                    spend.merge(SpendKey.month("key", e.accessKeyId(), day), costs[i], BigDecimal::add);
                }
            }
            rollups.addToUsers(perUser);
            rollups.addToAll(perModel);
            budgets.recordKeyOwners(owners);
            crossings.addAll(budgets.addSpend(spend));
        });
        // after commit only: a rolled-back batch, delivered again, is counted once
        budgets.ownersRecorded(owners.keySet());
        // one counter update per provider and model of the batch, not five meter lookups per event
        Map<String, long[]> perModel = new HashMap<>();
        Map<String, BigDecimal> costPerModel = new HashMap<>();
        for (int i : stored) {
            UsageEvent e = sorted.get(i);
            String key = e.provider() + SEP + e.model();
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
            String[] pm = key.split(SEP, 2);
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
}
