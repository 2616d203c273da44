package dev.parley.platform.client;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * This service's current service token, fetched from auth-service and reused until shortly before it expires.
 * May block on a cache miss: call it from a worker thread.
 */
@ApplicationScoped
public class ServiceTokenProvider {
    /** Refresh this long before expiry, so a token never expires in flight. */
    static final long MARGIN_SECONDS = 60;

    private final ServiceTokenExchange exchange;
    private final Clock clock;
    private volatile Cached cached;

    private record Cached(String token, Instant refreshAfter) { }

    @Inject
    public ServiceTokenProvider(ServiceTokenExchange exchange) {
        this(exchange, Clock.systemUTC());
    }

    ServiceTokenProvider(ServiceTokenExchange exchange, Clock clock) {
        this.exchange = exchange;
        this.clock = clock;
    }

    public String token() {
        Cached c = cached;
        if (c != null && clock.instant().isBefore(c.refreshAfter())) {
            return c.token();
        }
        synchronized (this) {
            c = cached;
            if (c != null && clock.instant().isBefore(c.refreshAfter())) {
                return c.token();
            }
            ServiceTokenApi.Token fresh = exchange.exchange();
            long lifetime = Math.max(0, fresh.expiresIn() - MARGIN_SECONDS);
            cached = new Cached(fresh.accessToken(), clock.instant().plusSeconds(lifetime));
            return fresh.accessToken();
        }
    }

    /** Drop the cached token (e.g. after a 401 from a callee). */
    public void invalidate() {
        cached = null;
    }
}
