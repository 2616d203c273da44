package dev.parley.auth.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.parley.auth.config.AccountConfig;
import dev.parley.auth.repository.AccountJobRepository;
import dev.parley.auth.repository.AccountJobRepository.Pending;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * {@code parley_auth_account_jobs_pending} and {@code parley_auth_account_jobs_oldest_seconds}, per service of
 * {@code parley.account.services}: the jobs it has not reported done, and how long the oldest of them has waited. A
 * service that never answers shows here (read at most every 10 s, so a scrape never costs more than one query).
 */
@Startup
@ApplicationScoped
public class AccountJobMetrics {
    private static final Logger LOG = Logger.getLogger(AccountJobMetrics.class);
    private static final Duration FRESH = Duration.ofSeconds(10);

    private final AccountJobRepository jobs;
    private volatile List<Pending> snapshot = List.of();
    private volatile Instant readAt = Instant.EPOCH;

    public AccountJobMetrics(AccountJobRepository jobs, AccountConfig config, MeterRegistry registry) {
        this.jobs = jobs;
        for (String service : config.services()) {
            Gauge.builder("parley.auth.account.jobs.pending", this, m -> m.of(service).jobs())
                    .description("Account jobs (deletions, exports) this service has not reported done")
                    .tag("service", service).register(registry);
            Gauge.builder("parley.auth.account.jobs.oldest.seconds", this, m -> m.oldestSeconds(service))
                    .description("Age of the oldest account job this service has not reported done (0: none)")
                    .tag("service", service).register(registry);
        }
    }

    private Pending of(String service) {
        return current().stream().filter(p -> p.service().equals(service)).findFirst()
                .orElse(new Pending(service, 0, null));
    }

    private double oldestSeconds(String service) {
        Instant oldest = of(service).oldest();
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, Instant.now()).toMillis() / 1000.0);
    }

    private synchronized List<Pending> current() {
        Instant now = Instant.now();
        if (readAt.plus(FRESH).isBefore(now)) {
            try {
                snapshot = QuarkusTransaction.requiringNew().call(jobs::pendingByService);
            } catch (RuntimeException e) {
                LOG.debugf("account job metrics not read: %s", e.getClass().getSimpleName());
            }
            readAt = now;
        }
        return snapshot;
    }
}
