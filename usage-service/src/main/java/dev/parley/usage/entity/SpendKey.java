package dev.parley.usage.entity;

import java.time.LocalDate;
import java.util.Comparator;
import java.util.UUID;

/**
 * The key of a running spend total ({@code spend_totals}): {@code user} or {@code key}, whose, period {@code d}
 * (a UTC day) or {@code m} (a month), and the period's first day. Ordered as the rows are upserted, so overlapping
 * batches cannot deadlock.
 */
public record SpendKey(String kind, UUID subject, String period, LocalDate start) implements Comparable<SpendKey> {
    private static final Comparator<SpendKey> ORDER = Comparator.comparing(SpendKey::kind)
            .thenComparing(SpendKey::subject, DailyKey::uuidOrder).thenComparing(SpendKey::period).thenComparing(SpendKey::start);

    public static SpendKey day(String kind, UUID subject, LocalDate day) {
        return new SpendKey(kind, subject, "d", day);
    }

    public static SpendKey month(String kind, UUID subject, LocalDate day) {
        return new SpendKey(kind, subject, "m", day.withDayOfMonth(1));
    }

    @Override
    public int compareTo(SpendKey o) {
        return ORDER.compare(this, o);
    }
}
