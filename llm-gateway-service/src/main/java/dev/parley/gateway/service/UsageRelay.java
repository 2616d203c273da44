package dev.parley.gateway.service;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import dev.parley.gateway.client.UsageEventsClient;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.repository.UsageOutboxRepository;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;
import org.jboss.logging.Logger;

/**
 * Moves usage events from the outbox to usage-service: the oldest {@code batch-size} rows are locked
 * ({@code FOR UPDATE SKIP LOCKED}, so several gateway replicas relay side by side without sending a row twice),
 * posted in one request, and deleted in the same transaction once usage-service answered 2xx. Anything else (down,
 * 404 before usage-service exists, 5xx, timeout) rolls back and retries with exponential backoff up to
 * {@code max-backoff}: nothing is lost, and usage-service's idempotency by request id absorbs the one redelivery a
 * crash between its 2xx and our commit can cause.
 */
@ApplicationScoped
public class UsageRelay {
    private static final Logger LOG = Logger.getLogger(UsageRelay.class);

    private final UsageOutboxRepository repository;
    private final UsageEventsClient client;
    private final GatewayConfig.Relay config;
    private final Counter delivered;
    private final Counter failures;
    private final AtomicLong deliveredCount = new AtomicLong();
    private volatile long backlog;
    private volatile double lagSeconds;
    private volatile boolean running;
    private Thread thread;

    public UsageRelay(UsageOutboxRepository repository, UsageEventsClient client, GatewayConfig config, GatewayMetrics metrics) {
        this.repository = repository;
        this.client = client;
        this.config = config.relay();
        this.delivered = metrics.counter("parley_gateway_relay_delivered", "Usage events delivered to usage-service");
        this.failures = metrics.counter("parley_gateway_relay_failures", "Failed deliveries to usage-service (retried)");
        metrics.gauge("parley_gateway_outbox_backlog", "Usage events in the outbox, not yet delivered (id span: an upper bound)", () -> backlog);
        metrics.gauge("parley_gateway_relay_lag_seconds", "Age of the oldest undelivered usage event", () -> lagSeconds);
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("usage relay disabled (parley.gateway.relay.enabled=false): events stay in the outbox");
            return;
        }
        running = true;
        thread = new Thread(this::run, "usage-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes @Priority(2) ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public long deliveredCount() {
        return deliveredCount.get();
    }

    private void run() {
        long backoffMs = config.pollInterval().toMillis();
        long lastStats = 0;
        while (running) {
            try {
                if (System.nanoTime() - lastStats > 5_000_000_000L) {
                    refreshStats();
                    lastStats = System.nanoTime();
                }
                int sent = relayOnce();
                if (sent < 0) {
                    failures.increment();
                    sleep(backoffMs);
                    backoffMs = Math.min(backoffMs * 2, config.maxBackoff().toMillis());
                } else {
                    backoffMs = config.pollInterval().toMillis();
                    if (sent < config.batchSize()) {
                        if (sent > 0) {
                            refreshStats();
                            lastStats = System.nanoTime();
                        }
                        sleep(config.pollInterval().toMillis());
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures.increment();
                LOG.warnf("usage relay: %s", e.getMessage());
                try {
                    sleep(backoffMs);
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, config.maxBackoff().toMillis());
            }
        }
    }

    /** One batch: the number delivered, or -1 when usage-service did not take it (the batch stays in the outbox). */
    int relayOnce() throws Exception {
        int sent = repository.relayOldest(config.batchSize(), this::deliver);
        if (sent > 0) {
            delivered.increment(sent);
            deliveredCount.addAndGet(sent);
        }
        return sent;
    }

    /** Whether usage-service stored the whole batch (a 2xx). */
    private boolean deliver(List<String> payloads) {
        int status;
        try {
            status = client.deliver(payloads);
        } catch (IOException | FaultToleranceException e) { // unreachable, or slower than relay.request-timeout
            LOG.debugf("usage relay: usage-service unreachable (%s)", e.getClass().getSimpleName());
            return false;
        }
        if (status < 200 || status >= 300) {
            LOG.debugf("usage relay: usage-service answered %d; %d events stay in the outbox", status, payloads.size());
            return false;
        }
        return true;
    }

    /** Backlog and lag, for the gauges. */
    private void refreshStats() throws SQLException {
        Optional<UsageOutboxRepository.Backlog> b = repository.backlog();
        backlog = b.map(UsageOutboxRepository.Backlog::rows).orElse(0L);
        lagSeconds = b.map(x -> Math.max(0, (System.currentTimeMillis() - x.oldest().toEpochMilli()) / 1000.0)).orElse(0.0);
    }

    private static void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }
}
