package dev.parley.gateway.service;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.provider.ProviderRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Counters that only move on failures exist at zero from the start, for every label value known at start (the
 * built-in and configured providers, the rate-limit dimensions): a dashboard then shows 0 rather than "no data", and
 * {@code increase()} sees the first failure. Deployment-labelled counters (circuits opened, fallbacks) appear with
 * their first event: a user's deployment names are not known in advance.
 */
@ApplicationScoped
public class MetricsBaseline {
    static final List<String> UPSTREAM_ERROR_KINDS = List.of("connect", "timeout", "status_429", "status_5xx",
            "status_401", "status_4xx", "circuit_open", "egress_refused");

    void onStart(@Observes StartupEvent event, GatewayMetrics metrics, GatewayConfig config, ProviderRegistry registry) {
        Set<String> providers = new TreeSet<>();
        registry.builtIns().forEach(p -> providers.add(p.name()));
        providers.addAll(config.providers().keySet());
        config.routes().values().forEach(r -> r.deployments().forEach(d -> providers.add(d.provider())));
        for (String provider : providers) {
            String p = metrics.modelLabel(provider);
            metrics.counter("parley_gateway_retries", "Attempts repeated on the same deployment", "provider", p);
            for (String kind : UPSTREAM_ERROR_KINDS) {
                metrics.counter("parley_gateway_upstream_errors", "Failed provider attempts, by kind", "provider", p,
                        "kind", kind);
            }
        }
        for (String dimension : List.of("requests", "tokens")) {
            metrics.counter("parley_gateway_rate_limited", "Calls refused by a rate limit", "dimension", dimension);
        }
    }
}
