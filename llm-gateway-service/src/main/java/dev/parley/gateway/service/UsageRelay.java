package dev.parley.gateway.service;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

import dev.parley.gateway.client.UsageEventsClient;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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

    private final DataSource dataSource;
    private final UsageEventsClient client;
    private final GatewayConfig.Relay config;
    private final Counter delivered;
    private final Counter failures;
    private final AtomicLong deliveredCount = new AtomicLong();
    private volatile long backlog;
    private volatile double lagSeconds;
    private volatile boolean running;
    private Thread thread;

    public UsageRelay(DataSource dataSource, UsageEventsClient client, GatewayConfig config, GatewayMetrics metrics) {
        this.dataSource = dataSource;
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

    /** One batch: the number delivered, or -1 when usage-service did not take it. */
    int relayOnce() throws SQLException, InterruptedException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<Long> ids = new ArrayList<>(config.batchSize());
            List<String> payloads = new ArrayList<>(config.batchSize());
            try (PreparedStatement ps = c.prepareStatement(
                    "select id, payload from usage_outbox order by id limit ? for update skip locked")) {
                ps.setInt(1, config.batchSize());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                        payloads.add(rs.getString(2));
                    }
                }
            }
            if (ids.isEmpty()) {
                c.commit();
                return 0;
            }
            int status;
            try {
                status = client.deliver(payloads);
            } catch (java.io.IOException e) {
                c.rollback();
                LOG.debugf("usage relay: usage-service unreachable (%s)", e.getClass().getSimpleName());
                return -1;
            }
            if (status < 200 || status >= 300) {
                c.rollback();
                LOG.debugf("usage relay: usage-service answered %d; %d events stay in the outbox", status, ids.size());
                return -1;
            }
            try (PreparedStatement del = c.prepareStatement("delete from usage_outbox where id = any(?)")) {
                Array arr = c.createArrayOf("bigint", ids.toArray());
                del.setArray(1, arr);
                del.executeUpdate();
            }
            c.commit();
            delivered.increment(ids.size());
            deliveredCount.addAndGet(ids.size());
            return ids.size();
        }
    }

    /**
     * Backlog and lag from the ends of the id index (constant time, however large a backlog usage-service's outage
     * left): the oldest row is the one with the smallest id; the count is estimated as the id span.
     */
    private void refreshStats() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select o.id, o.created_at, (select max(id) from usage_outbox) "
                     + "from usage_outbox o order by o.id limit 1");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                backlog = rs.getLong(3) - rs.getLong(1) + 1;
                Timestamp oldest = rs.getTimestamp(2);
                lagSeconds = Math.max(0, (System.currentTimeMillis() - oldest.getTime()) / 1000.0);
            } else {
                backlog = 0;
                lagSeconds = 0;
            }
        }
    }

    private static void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }
}
