package dev.parley.auth.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import dev.parley.auth.config.AuthConfig;
import dev.parley.auth.repository.KnownLoginRepository;
import dev.parley.auth.repository.LoginThrottleRepository;
import dev.parley.platform.error.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
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
    private final LoginThrottleRepository counters;
    private final KnownLoginRepository knownLogins;

    public LoginThrottle(AuthConfig config, LoginThrottleRepository counters, KnownLoginRepository knownLogins) {
        this.config = config;
        this.counters = counters;
        this.knownLogins = knownLogins;
    }

    /** 429 when this attempt must wait. {@code userId}: the account of that name, null when there is none. */
    public void check(String username, String address, UUID userId) {
        String user = name(username);
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
        String user = name(username);
        QuarkusTransaction.requiringNew().run(() -> {
            bump(PAIR, user + "|" + address, config.throttle().pairFailures());
            bump(ADDRESS, address, config.throttle().addressFailures());
            bump(USERNAME, user, config.throttle().usernameFailures());
        });
    }

    public void succeeded(String username, String address, UUID userId) {
        String user = name(username);
        QuarkusTransaction.requiringNew().run(() -> {
            counters.clear(PAIR, user + "|" + address);
            knownLogins.remember(userId, address, Instant.now());
        });
    }

    /**
     * The counters' name for a login name: lowercased; one longer than a username (an unknown email, up to 254
     * characters) by its hash, so that name + address always fits the counter's key.
     */
    static String name(String username) {
        String lower = username.toLowerCase(Locale.ROOT);
        return lower.length() <= 64 ? lower : "sha256:" + TokenIssuer.sha256Hex(lower);
    }

    /** This address logged in as this user within the known-login retention. */
    private boolean known(UUID userId, String address, Instant now) {
        return knownLogins.knownSince(userId, address, now.minus(config.cleanup().knownLoginRetention()));
    }

    private Instant lockedUntil(String scope, String key, Instant now) {
        Instant until = counters.lockedUntil(scope, key);
        return until != null && until.isAfter(now) ? until : null;
    }

    private void bump(String scope, String key, int threshold) {
        Instant now = Instant.now();
        Instant windowStart = now.minus(config.throttle().window());
        int f = counters.countFailure(scope, key, now, windowStart);
        if (f >= threshold) {
            long seconds = Math.min(config.throttle().maxLock().toSeconds(), 1L << Math.min(30, f - threshold));
            counters.lockUntil(scope, key, now.plusSeconds(seconds));
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
