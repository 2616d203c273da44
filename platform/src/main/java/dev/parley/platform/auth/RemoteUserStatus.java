package dev.parley.platform.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import dev.parley.platform.client.AuthInternalClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Asks auth-service whether a user is enabled, cached 30 s (so a disabled user is locked out within a minute).
 * When auth-service is unreachable, the last answer is used for up to 10 more minutes, and with none the call is
 * allowed (fail-open, counted in {@code parley_auth_status_unavailable_total}): the token itself was verified, and an
 * auth-service outage must not stop every service.
 */
@DefaultBean
@ApplicationScoped
public class RemoteUserStatus implements UserStatusChecker {
    private static final Logger LOG = Logger.getLogger(RemoteUserStatus.class);
    static final Duration TTL = Duration.ofSeconds(30);
    static final Duration STALE = Duration.ofMinutes(10);

    private final AuthInternalClient auth;
    private final ExpiringCache<UUID, Boolean> cache = new ExpiringCache<>(100_000, Clock.systemUTC());
    private final Counter unavailable;

    public RemoteUserStatus(AuthInternalClient auth, MeterRegistry registry) {
        this.auth = auth;
        this.unavailable = Counter.builder("parley_auth_status_unavailable_total")
                .description("User-status checks answered without auth-service (stale or fail-open)").register(registry);
    }

    /** Refreshed in the background this long before expiry, so an active user never waits on auth-service. */
    static final Duration REFRESH_AHEAD = Duration.ofSeconds(10);

    @Override
    public Optional<Boolean> cached(UUID userId) {
        return freshRefreshingAhead(userId);
    }

    private Optional<Boolean> freshRefreshingAhead(UUID userId) {
        Optional<Boolean> fresh = cache.fresh(userId);
        if (fresh.isPresent() && cache.claimRefresh(userId, REFRESH_AHEAD)) {
            boolean queued = CacheRefresh.submit(() -> {
                try {
                    cache.put(userId, auth.enabled(userId), TTL, STALE);
                } catch (RuntimeException e) {
                    cache.refreshFailed(userId);
                }
            });
            if (!queued) {
                cache.refreshFailed(userId);
            }
        }
        return fresh;
    }

    @Override
    public boolean enabled(UUID userId) {
        Optional<Boolean> fresh = freshRefreshingAhead(userId);
        if (fresh.isPresent()) {
            return fresh.get();
        }
        try {
            boolean enabled = auth.enabled(userId);
            cache.put(userId, enabled, TTL, STALE);
            return enabled;
        } catch (RuntimeException e) {
            unavailable.increment();
            LOG.warnf("user status unavailable from auth-service (%s): using %s", e.getClass().getSimpleName(),
                    cache.stale(userId).isPresent() ? "the last known status" : "fail-open");
            return cache.stale(userId).orElse(true);
        }
    }
}
