package dev.parley.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.parley.gateway.client.BudgetClient;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.ExpiringCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Refuses calls over a hard budget (429 {@code budget_exceeded}, naming the budget) before any provider is called.
 * usage-service's answer per user and access key is reused for {@code parley.gateway.budget.cache-ttl} and renewed in
 * the background shortly before it expires, so a busy user's calls never wait on it. When usage-service cannot
 * answer, {@code on-unavailable} decides (default allow), every such call is counted in
 * {@code parley_gateway_budget_check_unavailable_total}, and the gateway stops asking for one cache-ttl (a circuit
 * breaker) instead of adding a timeout to every call.
 */
@ApplicationScoped
public class BudgetGuard {
    private static final Logger LOG = Logger.getLogger(BudgetGuard.class);

    private record Decision(boolean allowed, String reason) { }

    private final BudgetClient client;
    private final Vertx vertx;
    private final boolean enabled;
    private final boolean allowWhenUnavailable;
    private final Duration ttl;
    private final Duration refreshAhead;
    private final ExpiringCache<String, Decision> cache = new ExpiringCache<>(100_000, Clock.systemUTC());
    private final AtomicLong downUntil = new AtomicLong();
    private final AtomicLong lastWarning = new AtomicLong();
    private final io.micrometer.core.instrument.Counter unavailableCount;
    private final io.micrometer.core.instrument.Counter refusedCount;

    public BudgetGuard(BudgetClient client, Vertx vertx, GatewayMetrics metrics, GatewayConfig config) {
        this.client = client;
        this.vertx = vertx;
        this.enabled = config.budget().enabled();
        this.allowWhenUnavailable = !"deny".equalsIgnoreCase(config.budget().onUnavailable());
        this.ttl = config.budget().cacheTtl();
        this.refreshAhead = ttl.dividedBy(3);
        this.unavailableCount = metrics.counter("parley_gateway_budget_check_unavailable",
                "Calls whose budget could not be checked (usage-service unavailable)");
        this.refusedCount = metrics.counter("parley_gateway_budget_refusals", "Calls refused over a hard budget");
    }

    /** Succeeds when the call may go on; fails with the OpenAI-shaped refusal otherwise. */
    public Future<Void> check(Caller caller) {
        UUID user = caller.userId();
        if (!enabled || user == null) {
            return Future.succeededFuture();
        }
        String key = user + "|" + caller.accessKeyId();
        var fresh = cache.fresh(key);
        if (fresh.isPresent()) {
            if (cache.claimRefresh(key, refreshAhead)) {
                vertx.executeBlocking(() -> fetch(user, caller.accessKeyId()), false).onComplete(ar -> {
                    if (ar.succeeded()) {
                        cache.put(key, ar.result(), ttl, Duration.ZERO);
                    } else {
                        cache.refreshFailed(key);
                    }
                });
            }
            return verdict(fresh.get());
        }
        if (System.currentTimeMillis() < downUntil.get()) {
            return verdict(unavailable(null));
        }
        return vertx.executeBlocking(() -> fetch(user, caller.accessKeyId()), false)
                .recover(err -> Future.succeededFuture(unavailable(err)))
                .compose(d -> {
                    if (d != null) {
                        cache.put(key, d, ttl, Duration.ZERO);
                    }
                    return verdict(d);
                });
    }

    private Decision fetch(UUID user, UUID accessKey) throws Exception {
        BudgetClient.Answer a = client.check(user, accessKey);
        downUntil.set(0);
        return new Decision(a.allowed(), a.reason());
    }

    /** null: unknown (usage-service unavailable). */
    private Decision unavailable(Throwable err) {
        unavailableCount.increment();
        if (err != null) {
            downUntil.set(System.currentTimeMillis() + ttl.toMillis());
            long now = System.currentTimeMillis();
            long last = lastWarning.get();
            if (now - last > 60_000 && lastWarning.compareAndSet(last, now)) {
                LOG.warnf("Budget check unavailable (%s); calls are %s meanwhile", err.getMessage(),
                        allowWhenUnavailable ? "allowed" : "refused");
            }
        }
        return null;
    }

    private Future<Void> verdict(Decision d) {
        if (d == null) {
            return allowWhenUnavailable ? Future.succeededFuture()
                    : Future.failedFuture(new OpenAiException(503, "server_error", "budget_check_unavailable", null,
                            "Your budget cannot be checked right now (usage-service unavailable); retry shortly.", 5L));
        }
        if (d.allowed()) {
            return Future.succeededFuture();
        }
        refusedCount.increment();
        String reason = d.reason() == null || d.reason().isBlank() ? "a hard budget" : d.reason();
        return Future.failedFuture(new OpenAiException(429, "insufficient_quota", "budget_exceeded", null,
                "Budget exceeded: " + reason + ". Calls are refused until the budget period resets or an admin raises it."));
    }

    /** Forgets cached answers (tests, and after an admin changes a budget on this replica's behalf). */
    public void invalidateAll() {
        downUntil.set(0);
        cache.clear();
    }
}
