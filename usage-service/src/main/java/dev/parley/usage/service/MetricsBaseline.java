package dev.parley.usage.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Counters that only move on rare events exist at zero from the start, for every label value known in advance: a
 * dashboard shows 0 rather than "no data", and {@code increase()} sees the first event. Unpriced events are counted
 * by the event's provider and model, so that counter appears with its first event.
 */
@ApplicationScoped
public class MetricsBaseline {
    void onStart(@Observes StartupEvent event, MeterRegistry registry) {
        registry.counter("parley_usage_events_rejected_total");
        for (String kind : new String[] {"user", "key"}) {
            for (String period : new String[] {"daily", "monthly"}) {
                for (String level : new String[] {"soft", "hard"}) {
                    registry.counter("parley_usage_budget_crossings_total", "kind", kind, "period", period, "level", level);
                }
            }
        }
    }
}
