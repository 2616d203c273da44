package dev.parley.usage.service;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import dev.parley.usage.entity.DailySums;
import dev.parley.usage.entity.MessageCall;
import dev.parley.usage.repository.UsageReportRepository;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reports. Whole UTC days come from the daily rollups (per user, or across users for an admin's report over
 * everyone); the parts of days at the ends of a range that does not start or end at midnight, and anything filtered
 * or grouped by session, come from the raw events through their (user, time) and (session, time) indexes.
 */
@ApplicationScoped
public class Reports {
    /** The filters of a report; null = not filtered. {@code user} null = every user (admins only). */
    public record Filter(UUID user, Instant from, Instant to, UUID session, String provider, ModelFilter model) { }

    private final UsageReportRepository repository;

    public Reports(UsageReportRepository repository) {
        this.repository = repository;
    }

    /** Sums grouped by {@code group} (day, model, provider, session, day_model, or null for one line), keys in order. */
    public Map<String, DailySums> sums(Filter f, String group) {
        if (f.model() != null && f.model().bare() && f.provider() == null) {
            List<String> providers = repository.providersOf(f.user(), f.model().model());
            if (providers.size() > 1) {
                throw f.model().ambiguous(providers);
            }
        }
        Map<String, DailySums> out = new TreeMap<>();
        boolean raw = f.session() != null || "session".equals(group);
        if (raw) {
            events(f, f.from(), f.to(), group, out);
            return out;
        }
        // whole days [firstDay, endDay) from the rollups; the partial days at the ends from the raw events
        LocalDate firstDay = f.from() == null ? null : ceilDay(f.from());
        LocalDate endDay = f.to() == null ? null : f.to().atZone(ZoneOffset.UTC).toLocalDate();
        if (firstDay != null && endDay != null && !firstDay.isBefore(endDay)) {
            events(f, f.from(), f.to(), group, out);
            return out;
        }
        repository.addRollupSums(f.user(), firstDay, endDay, f.provider(), f.model(), group, out);
        if (f.from() != null && !f.from().equals(firstDay.atStartOfDay(ZoneOffset.UTC).toInstant())) {
            events(f, f.from(), firstDay.atStartOfDay(ZoneOffset.UTC).toInstant(), group, out);
        }
        if (f.to() != null && !f.to().equals(endDay.atStartOfDay(ZoneOffset.UTC).toInstant())) {
            events(f, endDay.atStartOfDay(ZoneOffset.UTC).toInstant(), f.to(), group, out);
        }
        return out;
    }

    private void events(Filter f, Instant from, Instant to, String group, Map<String, DailySums> out) {
        repository.addEventSums(f.user(), f.session(), from, to, f.provider(), f.model(), group, out);
    }

    private static LocalDate ceilDay(Instant i) {
        LocalDate d = i.atZone(ZoneOffset.UTC).toLocalDate();
        return d.atStartOfDay(ZoneOffset.UTC).toInstant().equals(i) ? d : d.plusDays(1);
    }

    /** The calls of one message (the caller's, or any user's for an admin: {@code user} null). */
    public List<MessageCall> message(UUID user, UUID messageId) {
        return repository.callsOfMessage(user, messageId);
    }
}
