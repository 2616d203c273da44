package dev.parley.usage.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

import dev.parley.usage.entity.Price;
import dev.parley.usage.repository.RebuildLock;
import dev.parley.usage.repository.SpendRepository;
import dev.parley.usage.repository.UsageEventRepository;
import dev.parley.usage.repository.UsageEventRepository.NewCost;
import dev.parley.usage.repository.UsageRollupRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * An admin's recompute after a price change: every event of the whole UTC days that cover the period gets its cost
 * again from the catalogue as it is now, and the rollups of those days and the spend totals of those days and months
 * are rebuilt from the events, in one transaction that holds the rebuild lock exclusively (ingest waits meanwhile).
 */
@ApplicationScoped
public class Recompute {
    /** Events read, costs that changed, and the whole days covered. */
    public record Result(long events, long changed, LocalDate from, LocalDate to) { }

    private final RebuildLock rebuildLock;
    private final UsageEventRepository events;
    private final UsageRollupRepository rollups;
    private final SpendRepository spend;
    private final PriceCatalogue prices;

    public Recompute(RebuildLock rebuildLock, UsageEventRepository events, UsageRollupRepository rollups, SpendRepository spend,
                     PriceCatalogue prices) {
        this.rebuildLock = rebuildLock;
        this.events = events;
        this.rollups = rollups;
        this.spend = spend;
        this.prices = prices;
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
            rebuildLock.holdExclusive();
            long[] changed = {0};
            long read = events.reprice(start(d0), start(d1), e -> {
                Price p = prices.resolve(e.provider(), e.model(), e.occurredAt());
                BigDecimal cost = p == null ? null : CostCalculator.cost(p, e.promptTokens(), e.completionTokens(), e.cachedTokens(),
                        e.reasoningTokens(), e.cacheWriteTokens(), e.images());
                Long priceId = p == null ? null : p.id();
                BigDecimal old = e.cost();
                if ((old == null ? cost == null : cost != null && old.compareTo(cost) == 0) && Objects.equals(priceId, e.priceId())) {
                    return null;
                }
                changed[0]++;
                return new NewCost(cost, priceId);
            });
            rollups.rebuild(d0, d1);
            // spend: the days, then the whole months that contain them
            spend.rebuild(d0, d1, d0.withDayOfMonth(1), d1.minusDays(1).withDayOfMonth(1).plusMonths(1));
            return new Result(read, changed[0], d0, d1);
        });
    }

    private static Instant start(LocalDate d) {
        return d.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
