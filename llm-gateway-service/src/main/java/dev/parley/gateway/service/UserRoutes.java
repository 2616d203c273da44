package dev.parley.gateway.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.repository.UserRouteRepository;
import dev.parley.gateway.repository.UserRouteRepository.Row;
import dev.parley.platform.auth.ExpiringCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Users' routes and the global ones, as the proxy path reads them: cached per user (and once for the global ones)
 * for {@code user-routes.cache-ttl}, renewed in the background before expiry, dropped on this replica at once when
 * written ({@link #invalidate}); another replica sees a change within the cache's time to live. Answers on the
 * caller's event loop; the database is read on a worker thread. With the database down, the last routes read are
 * used for up to 10 minutes, then none (calls naming a provider's model still work).
 */
@ApplicationScoped
public class UserRoutes {
    private static final Logger LOG = Logger.getLogger(UserRoutes.class);
    static final Duration STALE = Duration.ofMinutes(10);
    private static final UUID GLOBAL = new UUID(0, 0);
    private static final TypeReference<List<Step>> STEPS = new TypeReference<>() { };

    /**
     * One step of a route's fallback chain: a model the user can call, its own timeout (ISO-8601, or null: the
     * gateway's {@code upstream.timeout}), its weight (or null).
     */
    public record Step(String model, String timeout, Integer weight) {
        public Duration timeoutOr(Duration fallback) {
            return timeout == null ? fallback : Duration.parse(timeout);
        }
    }

    /** A route; {@code userId} null for a global one. */
    public record UserRoute(UUID id, UUID userId, String alias, String description, List<Step> deployments,
                            Instant createdAt, Instant updatedAt) {
        public String scope() {
            return userId == null ? "global" : "user";
        }
    }

    private final UserRouteRepository repository;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    static final Duration FAILED_TTL = Duration.ofSeconds(5);
    private final Duration ttl;
    private final ExpiringCache<UUID, Map<String, UserRoute>> cache = new ExpiringCache<>(100_000, Clock.systemUTC());

    public UserRoutes(UserRouteRepository repository, ObjectMapper mapper, Vertx vertx, GatewayConfig config) {
        this.repository = repository;
        this.mapper = mapper;
        this.vertx = vertx;
        this.ttl = config.userRoutes().cacheTtl();
    }

    /** The route a user's call names: their own alias wins over a global one of the same name. */
    public Future<Optional<UserRoute>> find(UUID userId, String alias) {
        if (userId == null) {
            return routes(GLOBAL).map(g -> Optional.ofNullable(g.get(alias)));
        }
        return routes(userId).compose(own -> {
            UserRoute mine = own.get(alias);
            return mine != null ? Future.succeededFuture(Optional.of(mine))
                    : routes(GLOBAL).map(g -> Optional.ofNullable(g.get(alias)));
        });
    }

    /** Every route the caller sees: their own, then the global ones whose alias they have not taken. */
    public Future<List<UserRoute>> visible(UUID userId) {
        Future<Map<String, UserRoute>> own = userId == null ? Future.succeededFuture(Map.of()) : routes(userId);
        Future<Map<String, UserRoute>> global = routes(GLOBAL);
        return Future.join(own, global).map(v -> {
            Map<String, UserRoute> out = new LinkedHashMap<>(own.result());
            global.result().forEach(out::putIfAbsent);
            return List.copyOf(out.values());
        });
    }

    /** A write on this replica: the next call reads the user's routes (or the global ones: {@code userId} null) again. */
    public void invalidate(UUID userId) {
        cache.invalidate(userId == null ? GLOBAL : userId);
    }

    /** The stored rows as routes (also used by the routes API). */
    public UserRoute route(Row r) {
        try {
            return new UserRoute(r.id(), r.userId(), r.alias(), r.description(), mapper.readValue(r.deploymentsJson(), STEPS),
                    r.createdAt(), r.updatedAt());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("user_routes " + r.id() + " holds unreadable deployments", e);
        }
    }

    public String stepsJson(List<Step> steps) {
        try {
            return mapper.writeValueAsString(steps);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Future<Map<String, UserRoute>> routes(UUID key) {
        Optional<Map<String, UserRoute>> fresh = cache.fresh(key);
        if (fresh.isPresent()) {
            if (cache.claimRefresh(key, ttl.dividedBy(5))) {
                load(key).onComplete(ar -> {
                    if (ar.succeeded()) {
                        cache.put(key, ar.result(), ttl, STALE);
                    } else {
                        cache.refreshFailed(key);
                    }
                });
            }
            return Future.succeededFuture(fresh.get());
        }
        return load(key).transform(ar -> {
            if (ar.succeeded()) {
                cache.put(key, ar.result(), ttl, STALE);
                return Future.succeededFuture(ar.result());
            }
            Optional<Map<String, UserRoute>> stale = cache.stale(key);
            LOG.warnf("routes could not be read (%s): %s", ar.cause().getClass().getSimpleName(),
                    stale.isPresent() ? "using the last ones read" : "none apply");
            // kept a few seconds, so the calls behind this one do not each wait on a database that is away
            cache.put(key, stale.orElse(Map.of()), FAILED_TTL, STALE);
            return Future.succeededFuture(stale.orElse(Map.of()));
        });
    }

    private Future<Map<String, UserRoute>> load(UUID key) {
        return vertx.executeBlocking(() -> {
            List<Row> rows = GLOBAL.equals(key) ? repository.listGlobal() : repository.listForUser(key);
            Map<String, UserRoute> out = new LinkedHashMap<>();
            for (Row r : rows) {
                out.put(r.alias(), route(r));
            }
            return out;
        }, false);
    }

    /** The steps as the route resolver orders them: a step's priority is its position, shared by weighted neighbours. */
    static List<Integer> priorities(List<Step> steps) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            boolean sharesWithPrevious = i > 0 && steps.get(i).weight() != null && steps.get(i - 1).weight() != null;
            out.add(sharesWithPrevious ? out.get(i - 1) : i);
        }
        return out;
    }
}
