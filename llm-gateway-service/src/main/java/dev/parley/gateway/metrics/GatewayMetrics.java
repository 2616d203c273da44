package dev.parley.gateway.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The gateway's Prometheus metrics ({@code parley_gateway_*}). Labels are provider, model, status, kind, deployment:
 * never a user. Model names a user can choose (their own OpenAI-compatible servers) are capped: past 200 distinct
 * names, further ones are counted as {@code other}.
 */
@ApplicationScoped
public class GatewayMetrics {
    private static final int MAX_MODELS = 200;
    private static final Duration[] LATENCY_SLOS = {Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
            Duration.ofSeconds(120)};
    private static final Duration[] OVERHEAD_SLOS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(50)};

    private final MeterRegistry registry;
    private final Set<String> models = ConcurrentHashMap.newKeySet();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Set<String> gauges = ConcurrentHashMap.newKeySet();

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public String modelLabel(String model) {
        if (model == null) {
            return "none";
        }
        if (models.contains(model)) {
            return model;
        }
        if (models.size() >= MAX_MODELS) {
            return "other";
        }
        models.add(model);
        return model;
    }

    /** One finished call: endpoint (chat, embeddings), provider, model, HTTP status answered to the client. */
    public void request(String endpoint, String provider, String model, int status, long nanos) {
        String m = modelLabel(model);
        String key = "r|" + endpoint + "|" + provider + "|" + m + "|" + status;
        timers.computeIfAbsent(key, k -> Timer.builder("parley_gateway_request_duration")
                .description("Duration of /v1 calls, by provider, model and status")
                .tags("endpoint", endpoint, "provider", provider, "model", m, "status", Integer.toString(status))
                .serviceLevelObjectives(LATENCY_SLOS)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void timeToFirstToken(String provider, String model, long nanos) {
        String m = modelLabel(model);
        timers.computeIfAbsent("t|" + provider + "|" + m, k -> Timer.builder("parley_gateway_time_to_first_token")
                .description("Time from the request to the first streamed token")
                .tags("provider", provider, "model", m)
                .serviceLevelObjectives(LATENCY_SLOS)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Time spent in the gateway itself, not waiting on a provider (for streams: up to the first byte). */
    public void overhead(String endpoint, boolean streamed, long nanos) {
        timers.computeIfAbsent("o|" + endpoint + "|" + streamed, k -> Timer.builder("parley_gateway_overhead")
                .description("Time a call spent in the gateway, not waiting on the provider")
                .tags("endpoint", endpoint, "streamed", Boolean.toString(streamed))
                .serviceLevelObjectives(OVERHEAD_SLOS)
                .register(registry)).record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    public void tokens(String provider, String model, long prompt, long completion) {
        String m = modelLabel(model);
        if (prompt > 0) {
            counter("parley_gateway_tokens", "Tokens metered", "provider", provider, "model", m, "direction", "prompt").increment(prompt);
        }
        if (completion > 0) {
            counter("parley_gateway_tokens", "Tokens metered", "provider", provider, "model", m, "direction", "completion").increment(completion);
        }
    }

    /** kind: connect, timeout, status_429, status_5xx, status_401, status_4xx, stream_broken, egress_refused. */
    public void upstreamError(String provider, String kind) {
        counter("parley_gateway_upstream_errors", "Failed provider attempts, by kind", "provider", provider, "kind", kind).increment();
    }

    public void retry(String provider) {
        counter("parley_gateway_retries", "Attempts repeated on the same deployment", "provider", provider).increment();
    }

    public void fallback(String fromDeployment) {
        counter("parley_gateway_fallbacks", "Calls moved on to the next deployment", "from", fromDeployment).increment();
    }

    public void circuitOpened(String deployment) {
        counter("parley_gateway_circuit_opened", "Circuits opened", "deployment", deployment).increment();
    }

    public void idempotentReplay() {
        counter("parley_gateway_idempotent_replays", "Answers replayed for a repeated Idempotency-Key").increment();
    }

    public Counter counter(String name, String description, String... tags) {
        String key = name + "|" + String.join("|", tags);
        return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
        if (gauges.add(name + "|" + String.join("|", tags))) {
            Gauge.builder(name, value).description(description).tags(tags).register(registry);
        }
    }
}
