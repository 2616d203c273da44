package dev.parley.auth.service;

import java.time.Instant;

import dev.parley.auth.config.AuthConfig;
import dev.parley.auth.repository.KnownLoginRepository;
import dev.parley.auth.repository.LoginThrottleRepository;
import dev.parley.auth.repository.RefreshTokenRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Keeps auth-service's bookkeeping tables from growing forever: refresh tokens a week after they stopped being
 * usable (the family history is kept that long for reuse detection), throttle counters whose window and lock are
 * over, known login addresses not used for 90 days, and exports past {@code parley.account.export-ttl}; it also completes
 * the account jobs that waited only for a service no longer in {@code parley.account.services}. Every statement is idempotent, so replicas may overlap.
 */
@ApplicationScoped
public class Cleanup {
    private static final Logger LOG = Logger.getLogger(Cleanup.class);

    private final RefreshTokenRepository refreshTokens;
    private final LoginThrottleRepository throttle;
    private final KnownLoginRepository knownLogins;
    private final AuthConfig config;
    private final AccountExports exports;
    private final AccountJobsService accountJobs;

    public Cleanup(RefreshTokenRepository refreshTokens, LoginThrottleRepository throttle, KnownLoginRepository knownLogins,
                   AuthConfig config, AccountExports exports, AccountJobsService accountJobs) {
        this.refreshTokens = refreshTokens;
        this.throttle = throttle;
        this.knownLogins = knownLogins;
        this.config = config;
        this.exports = exports;
        this.accountJobs = accountJobs;
    }

    /** What a run removed; {@code exports}: expired exports; {@code accountJobs}: jobs completed by a service's removal. */
    public record Removed(int refreshTokens, int throttleRows, int knownLogins, int exports, int accountJobs) { }

    @Scheduled(every = "${parley.auth.cleanup.every:1h}", delayed = "5m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        Removed r = run(Instant.now());
        if (r.refreshTokens() + r.throttleRows() + r.knownLogins() + r.exports() + r.accountJobs() > 0) {
            LOG.infof("cleanup removed %d refresh tokens, %d throttle rows, %d known logins, %d expired exports; "
                    + "completed %d account jobs", r.refreshTokens(), r.throttleRows(), r.knownLogins(), r.exports(),
                    r.accountJobs());
        }
    }

    public Removed run(Instant now) {
        Instant tokenCutoff = now.minus(config.cleanup().refreshTokenGrace());
        Instant windowStart = now.minus(config.throttle().window());
        Instant knownCutoff = now.minus(config.cleanup().knownLoginRetention());
        int[] counts = QuarkusTransaction.requiringNew().call(() -> new int[] {
                (int) refreshTokens.deleteSpentBefore(tokenCutoff),
                throttle.deleteFinished(windowStart, now),
                knownLogins.deleteUnusedSince(knownCutoff)});
        return new Removed(counts[0], counts[1], counts[2], exports.deleteExpired(now), accountJobs.completeFinished());
    }
}
