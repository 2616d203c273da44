package dev.parley.session.service;

import java.util.concurrent.Callable;

import io.quarkus.narayana.jta.QuarkusTransaction;
import org.jboss.logging.Logger;

/**
 * One delivery pass over an outbox table (memory deletions, memory extractions): up to 100 rows, each taken and
 * settled in its own transaction by {@code deliverOne} (false: nothing due). A database that is away, or a service
 * stopping, ends the pass and leaves the rows owed for the next one. Warnings at most once a minute.
 */
final class OutboxPass {
    private final Logger log;
    private final String what;
    private volatile long lastWarning;

    OutboxPass(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    void run(Callable<Boolean> deliverOne) {
        try {
            for (int i = 0; i < 100; i++) {
                if (!QuarkusTransaction.requiringNew().call(deliverOne)) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            warn("Could not deliver owed %s: %s", what, e.getMessage());
        }
    }

    void warn(String format, Object... args) {
        long now = System.currentTimeMillis();
        if (now - lastWarning > 60_000) {
            lastWarning = now;
            log.warnf(format, args);
        }
    }
}
