package dev.parley.usage.entity;

import java.time.LocalDate;
import java.util.Comparator;
import java.util.UUID;

/**
 * The key of a daily rollup row: {@code usage_daily} (a user's) or, with {@code user} null, {@code usage_daily_all}.
 * Ordered as the rows are upserted (user, day, provider, model), so that overlapping batches lock rows in the same
 * order and cannot deadlock.
 */
public record DailyKey(UUID user, LocalDate day, String provider, String model) implements Comparable<DailyKey> {
    private static final Comparator<DailyKey> ORDER = Comparator.comparing(DailyKey::user, Comparator.nullsFirst(DailyKey::uuidOrder))
            .thenComparing(DailyKey::day).thenComparing(DailyKey::provider).thenComparing(DailyKey::model);

    /** The order of the UUIDs' text (unsigned), as the keys were ordered when they were strings. */
    static int uuidOrder(UUID a, UUID b) {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    @Override
    public int compareTo(DailyKey o) {
        return ORDER.compare(this, o);
    }
}
