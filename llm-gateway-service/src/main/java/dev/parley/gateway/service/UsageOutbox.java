package dev.parley.gateway.service;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.repository.UsageOutboxRepository;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The durable outbox of usage events. The hot path only enqueues (no I/O on the event loop); one writer thread
 * writes whatever has queued up (waiting up to 5 ms after the first event for more) with one COPY and one commit, so
 * the database sees one transaction per batch however many calls finish meanwhile (group commit). On shutdown the queue is written out before the datasource
 * closes. The window a hard kill can lose is what queued during one batch (typically under 10 ms).
 * If the database is down, batches are retried and kept in memory up to {@code queue-capacity}; beyond that events
 * are counted in {@code parley_gateway_outbox_dropped_total} and logged.
 */
@ApplicationScoped
public class UsageOutbox {
    private static final Logger LOG = Logger.getLogger(UsageOutbox.class);
    /** After the first event of a batch, wait this long for more: fewer, larger transactions under load. */
    private static final long LINGER_NANOS = 5_000_000;

    private final UsageOutboxRepository repository;
    private final ObjectMapper mapper;
    private final int batchSize;
    private final LinkedBlockingQueue<UsageEvent> queue;
    private final AtomicLong written = new AtomicLong();
    private final Counter dropped;
    private final Counter writeFailures;
    private volatile boolean running;
    private Thread writer;

    public UsageOutbox(UsageOutboxRepository repository, ObjectMapper mapper, GatewayConfig config, GatewayMetrics metrics) {
        this.repository = repository;
        this.mapper = mapper;
        this.batchSize = config.outbox().batchSize();
        this.queue = new LinkedBlockingQueue<>(config.outbox().queueCapacity());
        this.dropped = metrics.counter("parley_gateway_outbox_dropped", "Usage events lost because the outbox queue was full");
        this.writeFailures = metrics.counter("parley_gateway_outbox_write_failures", "Failed outbox batch writes (retried)");
        metrics.gauge("parley_gateway_outbox_queue", "Usage events waiting for the outbox writer", queue::size);
    }

    void start(@Observes StartupEvent event) {
        running = true;
        writer = new Thread(this::run, "usage-outbox-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Runs before the datasource is closed: everything queued is written. */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        running = false;
        if (writer != null) {
            writer.interrupt();
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<UsageEvent> rest = new ArrayList<>();
        queue.drainTo(rest);
        if (!rest.isEmpty()) {
            try {
                write(rest);
            } catch (SQLException e) {
                LOG.errorf("outbox: %d usage events could not be written at shutdown: %s", rest.size(), e.getMessage());
            }
        }
    }

    /** Never blocks: called on the event loop when a call ends. */
    public void record(UsageEvent event) {
        if (!queue.offer(event)) {
            dropped.increment();
            LOG.errorf("outbox queue full: usage event %s dropped", event.requestId());
        }
    }

    /** Events written to the outbox table since start (tests and the benchmark read it). */
    public long written() {
        return written.get();
    }

    public int queued() {
        return queue.size();
    }

    private void run() {
        List<UsageEvent> batch = new ArrayList<>(batchSize);
        long backoffMs = 100;
        while (running || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    UsageEvent first = queue.poll(500, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    long until = System.nanoTime() + LINGER_NANOS;
                    queue.drainTo(batch, batchSize - batch.size());
                    while (batch.size() < batchSize && running) {
                        long left = until - System.nanoTime();
                        UsageEvent more = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                        if (more == null) {
                            break;
                        }
                        batch.add(more);
                        queue.drainTo(batch, batchSize - batch.size());
                    }
                }
                write(batch);
                batch.clear();
                backoffMs = 100;
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (SQLException | RuntimeException e) {
                writeFailures.increment();
                LOG.warnf("outbox: writing %d usage events failed (%s); retrying in %d ms", batch.size(), e.getMessage(), backoffMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    if (!running) {
                        break;
                    }
                }
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
        // Whatever is still in `batch` goes back to the queue for the shutdown drain.
        for (UsageEvent e : batch) {
            queue.offer(e);
        }
    }

    /** The batch as its JSON, in one write (one COPY, one commit). */
    private void write(List<UsageEvent> batch) throws SQLException {
        List<UsageOutboxRepository.Row> rows = new ArrayList<>(batch.size());
        for (UsageEvent e : batch) {
            rows.add(new UsageOutboxRepository.Row(e.requestId(), json(e)));
        }
        repository.insert(rows);
        written.addAndGet(batch.size());
    }

    private String json(UsageEvent e) {
        try {
            return mapper.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("usage event not serializable", ex);
        }
    }
}
