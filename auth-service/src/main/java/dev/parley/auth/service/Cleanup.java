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
 * over, and known login addresses not used for 90 days. Every statement is idempotent, so replicas may overlap.
 */
@ApplicationScoped
public class Cleanup {
    private static final Logger LOG = Logger.getLogger(Cleanup.class);

    private final RefreshTokenRepository refreshTokens;
    private final LoginThrottleRepository throttle;
    private final KnownLoginRepository knownLogins;
    private final AuthConfig config;

    public Cleanup(RefreshTokenRepository refreshTokens, LoginThrottleRepository throttle, KnownLoginRepository knownLogins,
                   AuthConfig config) {
        this.refreshTokens = refreshTokens;
        this.throttle = throttle;
        this.knownLogins = knownLogins;
        this.config = config;
    }

    public record Removed(int refreshTokens, int throttleRows, int knownLogins) { }

    @Scheduled(every = "${parley.auth.cleanup.every:1h}", delayed = "5m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        Removed r = run(Instant.now());
        if (r.refreshTokens() + r.throttleRows() + r.knownLogins() > 0) {
            LOG.infof("cleanup removed %d refresh tokens, %d throttle rows, %d known logins",
                    r.refreshTokens(), r.throttleRows(), r.knownLogins());
        }
    }

    public Removed run(Instant now) {
        Instant tokenCutoff = now.minus(config.cleanup().refreshTokenGrace());
        Instant windowStart = now.minus(config.throttle().window());
        Instant knownCutoff = now.minus(config.cleanup().knownLoginRetention());
        return QuarkusTransaction.requiringNew().call(() -> new Removed(
                (int) refreshTokens.deleteSpentBefore(tokenCutoff),
                throttle.deleteFinished(windowStart, now),
                knownLogins.deleteUnusedSince(knownCutoff)));
    }
}
