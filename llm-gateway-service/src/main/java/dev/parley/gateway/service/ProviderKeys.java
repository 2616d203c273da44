package dev.parley.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.parley.gateway.client.ProviderKeyClient.UserKey;
import dev.parley.gateway.client.ProviderKeyClient;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.platform.auth.ExpiringCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Users' provider keys, resolved at auth-service and cached (found: at most 5 minutes; not found: 30 s), dropped at
 * once when the provider answers 401. Answers on the caller's event loop; the remote call runs on a worker thread.
 */
@ApplicationScoped
public class ProviderKeys {
    private static final Logger LOG = Logger.getLogger(ProviderKeys.class);
    static final Duration MISSING_TTL = Duration.ofSeconds(30);
    static final Duration STALE = Duration.ofMinutes(10);
    static final Duration REFRESH_AHEAD = Duration.ofSeconds(10);

    private final ProviderKeyClient client;
    private final Vertx vertx;
    private final Duration ttl;
    private final ExpiringCache<String, Optional<UserKey>> cache = new ExpiringCache<>(100_000, Clock.systemUTC());
    private final ExpiringCache<String, List<String>> names = new ExpiringCache<>(100_000, Clock.systemUTC());

    public ProviderKeys(ProviderKeyClient client, Vertx vertx, GatewayConfig config) {
        this.client = client;
        this.vertx = vertx;
        Duration configured = config.providerKeyCacheTtl();
        this.ttl = configured.compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5) : configured;
    }

    public Future<Optional<UserKey>> find(UUID userId, String name) {
        if (userId == null) {
            return Future.succeededFuture(Optional.empty());
        }
        String id = userId + "/" + name;
        Optional<Optional<UserKey>> fresh = cache.fresh(id);
        if (fresh.isPresent()) {
            if (cache.claimRefresh(id, REFRESH_AHEAD)) {
                // Refresh-ahead: the answer is renewed in the background, so a busy user never waits on auth-service.
                vertx.<Optional<UserKey>>executeBlocking(() -> client.resolve(userId, name), false).onComplete(ar -> {
                    if (ar.succeeded()) {
                        cache.put(id, ar.result(), ar.result().isPresent() ? ttl : MISSING_TTL, STALE);
                    } else {
                        cache.refreshFailed(id);
                    }
                });
            }
            return Future.succeededFuture(fresh.get());
        }
        return vertx.<Optional<UserKey>>executeBlocking(() -> client.resolve(userId, name), false)
                .transform(ar -> {
                    if (ar.succeeded()) {
                        cache.put(id, ar.result(), ar.result().isPresent() ? ttl : MISSING_TTL, STALE);
                        return Future.succeededFuture(ar.result());
                    }
                    Optional<Optional<UserKey>> stale = cache.stale(id);
                    if (stale.isPresent()) {
                        LOG.warnf("auth-service unavailable for a provider-key resolve (%s): using the last known key",
                                ar.cause().getClass().getSimpleName());
                        return Future.succeededFuture(stale.get());
                    }
                    LOG.warnf("auth-service unavailable for a provider-key resolve: %s", ar.cause().getClass().getSimpleName());
                    return Future.failedFuture(new OpenAiException(503, "server_error", "provider_keys_unavailable", null,
                            "Provider keys cannot be resolved right now; retry shortly.", 5L));
                });
    }

    /** Drops this replica's cached keys and key names of one user (an account's deletion). */
    public void forget(UUID userId) {
        String prefix = userId + "/";
        cache.invalidateIf(k -> k.startsWith(prefix));
        names.invalidateIf(k -> k.startsWith(prefix));
    }

    /**
     * The names of the user's keys of one type ({@code openai_compatible}: their own servers), cached like a missing
     * key (30 s, renewed in the background); with auth-service down, the last names seen, else none.
     */
    public Future<List<String>> names(UUID userId, String type) {
        if (userId == null) {
            return Future.succeededFuture(List.of());
        }
        String id = userId + "/" + type;
        Optional<List<String>> fresh = names.fresh(id);
        if (fresh.isPresent()) {
            if (names.claimRefresh(id, REFRESH_AHEAD)) {
                listNames(userId, type).onComplete(ar -> {
                    if (ar.succeeded()) {
                        names.put(id, ar.result(), MISSING_TTL, STALE);
                    } else {
                        names.refreshFailed(id);
                    }
                });
            }
            return Future.succeededFuture(fresh.get());
        }
        return listNames(userId, type).transform(ar -> {
            if (ar.succeeded()) {
                names.put(id, ar.result(), MISSING_TTL, STALE);
                return Future.succeededFuture(ar.result());
            }
            LOG.warnf("auth-service unavailable for a provider-key list: %s", ar.cause().getClass().getSimpleName());
            return Future.succeededFuture(names.stale(id).orElse(List.of()));
        });
    }

    private Future<List<String>> listNames(UUID userId, String type) {
        return vertx.executeBlocking(() -> client.list(userId, type).stream().map(ProviderKeyClient.KeyName::name).toList(), false);
    }

    /** The provider refused the key: the next call asks auth-service again (the user may have replaced it). */
    public void invalidate(UUID userId, String name) {
        if (userId != null) {
            cache.invalidate(userId + "/" + name);
        }
    }
}
