package dev.parley.auth.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import dev.parley.auth.config.AuthConfig;
import dev.parley.platform.error.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

/**
 * Login throttling, in PostgreSQL so it holds across replicas. Three counters per failed login, each in a window:
 * <ul>
 * <li>username + client address: after {@code pair-failures}, waits of 1 s, 2 s, 4 s … up to {@code max-lock};</li>
 * <li>client address (any username): after {@code address-failures}, the same growing waits;</li>
 * <li>username (any address): after {@code username-failures}, the same, but never for an address this user has
 * logged in from before, so an attacker elsewhere cannot lock the owner out.</li>
 * </ul>
 * No lock outlasts {@code max-lock}; a success clears the pair counter. Answers 429 with Retry-After.
 */
@ApplicationScoped
public class LoginThrottle {
    private static final Logger LOG = Logger.getLogger(LoginThrottle.class);
    static final String PAIR = "pair";
    static final String ADDRESS = "address";
    static final String USERNAME = "username";

    private final AuthConfig config;
    private final EntityManager em;

    public LoginThrottle(AuthConfig config, EntityManager em) {
        this.config = config;
        this.em = em;
    }

    /** 429 when this attempt must wait. {@code userId}: the account of that name, null when there is none. */
    public void check(String username, String address, UUID userId) {
        String user = username.toLowerCase(Locale.ROOT);
        Instant now = Instant.now();
        Instant until = QuarkusTransaction.requiringNew().call(() -> {
            Instant latest = lockedUntil(PAIR, user + "|" + address, now);
            latest = later(latest, lockedUntil(ADDRESS, address, now));
            if (userId == null || !known(userId, address, now)) {
                latest = later(latest, lockedUntil(USERNAME, user, now));
            }
            return latest;
        });
        if (until != null) {
            long seconds = Math.max(1, Duration.between(now, until).toMillis() / 1000 + 1);
            throw new ApiException(429, "TOO_MANY_LOGIN_ATTEMPTS",
                    "Too many failed logins: retry after " + seconds + " s", Map.of("retry_after_seconds", seconds));
        }
    }

    public void failed(String username, String address) {
        String user = username.toLowerCase(Locale.ROOT);
        QuarkusTransaction.requiringNew().run(() -> {
            bump(PAIR, user + "|" + address, config.throttle().pairFailures());
            bump(ADDRESS, address, config.throttle().addressFailures());
            bump(USERNAME, user, config.throttle().usernameFailures());
        });
    }

    public void succeeded(String username, String address, UUID userId) {
        String user = username.toLowerCase(Locale.ROOT);
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("DELETE FROM login_throttle WHERE scope = ?1 AND key = ?2")
                    .setParameter(1, PAIR).setParameter(2, user + "|" + address).executeUpdate();
            em.createNativeQuery("INSERT INTO known_logins (user_id, client_address, last_success_at) VALUES (?1, ?2, ?3) "
                            + "ON CONFLICT (user_id, client_address) DO UPDATE SET last_success_at = EXCLUDED.last_success_at")
                    .setParameter(1, userId).setParameter(2, address).setParameter(3, Instant.now()).executeUpdate();
        });
    }

    /** This address logged in as this user within the known-login retention. */
    private boolean known(UUID userId, String address, Instant now) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM known_logins WHERE user_id = ?1 "
                        + "AND client_address = ?2 AND last_success_at > ?3")
                .setParameter(1, userId).setParameter(2, address)
                .setParameter(3, now.minus(config.cleanup().knownLoginRetention()))
                .getSingleResult()).longValue() > 0;
    }

    private Instant lockedUntil(String scope, String key, Instant now) {
        var rows = em.createNativeQuery("SELECT locked_until FROM login_throttle WHERE scope = ?1 AND key = ?2", Instant.class)
                .setParameter(1, scope).setParameter(2, key).getResultList();
        if (rows.isEmpty() || rows.get(0) == null) {
            return null;
        }
        Instant until = (Instant) rows.get(0);
        return until.isAfter(now) ? until : null;
    }

    private void bump(String scope, String key, int threshold) {
        Instant now = Instant.now();
        Instant windowStart = now.minus(config.throttle().window());
        Number failures = (Number) em.createNativeQuery(
                        "INSERT INTO login_throttle (scope, key, failures, window_start) VALUES (?1, ?2, 1, ?3) "
                                + "ON CONFLICT (scope, key) DO UPDATE SET "
                                + "failures = CASE WHEN login_throttle.window_start < ?4 THEN 1 ELSE login_throttle.failures + 1 END, "
                                + "window_start = CASE WHEN login_throttle.window_start < ?4 THEN ?3 ELSE login_throttle.window_start END "
                                + "RETURNING failures")
                .setParameter(1, scope).setParameter(2, key).setParameter(3, now).setParameter(4, windowStart)
                .getSingleResult();
        int f = failures.intValue();
        if (f >= threshold) {
            long seconds = Math.min(config.throttle().maxLock().toSeconds(), 1L << Math.min(30, f - threshold));
            em.createNativeQuery("UPDATE login_throttle SET locked_until = ?3 WHERE scope = ?1 AND key = ?2")
                    .setParameter(1, scope).setParameter(2, key).setParameter(3, now.plusSeconds(seconds)).executeUpdate();
            if (f == threshold) {
                LOG.warnf("login throttle engaged (%s scope)", scope);
            }
        }
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
