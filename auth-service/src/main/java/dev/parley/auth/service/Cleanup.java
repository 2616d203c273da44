package dev.parley.auth.service;

import java.time.Instant;

import dev.parley.auth.config.AuthConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

/**
 * Keeps auth-service's bookkeeping tables from growing forever: refresh tokens a week after they stopped being
 * usable (the family history is kept that long for reuse detection), throttle counters whose window and lock are
 * over, and known login addresses not used for 90 days. Every statement is idempotent, so replicas may overlap.
 */
@ApplicationScoped
public class Cleanup {
    private static final Logger LOG = Logger.getLogger(Cleanup.class);

    private final EntityManager em;
    private final AuthConfig config;

    public Cleanup(EntityManager em, AuthConfig config) {
        this.em = em;
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
                em.createNativeQuery("DELETE FROM refresh_tokens WHERE expires_at < ?1 OR revoked_at < ?1 OR used_at < ?1")
                        .setParameter(1, tokenCutoff).executeUpdate(),
                em.createNativeQuery("DELETE FROM login_throttle WHERE window_start < ?1 "
                                + "AND (locked_until IS NULL OR locked_until < ?2)")
                        .setParameter(1, windowStart).setParameter(2, now).executeUpdate(),
                em.createNativeQuery("DELETE FROM known_logins WHERE last_success_at < ?1")
                        .setParameter(1, knownCutoff).executeUpdate()));
    }
}
