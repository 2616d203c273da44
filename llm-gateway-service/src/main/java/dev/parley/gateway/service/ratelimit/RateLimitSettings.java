package dev.parley.gateway.service.ratelimit;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.repository.RateLimitOverrideRepository;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Which limits apply to whom: the admin API's overrides (PostgreSQL, shared by every replica) over the
 * configuration's ({@code parley.gateway.rate-limits.*}). Held in memory for the hot path and reloaded every
 * {@code settings-refresh} when the table changed, so a change made on another replica applies within seconds.
 */
@ApplicationScoped
public class RateLimitSettings {
    private static final Logger LOG = Logger.getLogger(RateLimitSettings.class);

    /** A limit on each dimension, null meaning none; {@code source}: admin, config or none. */
    public record Limits(Long requestsPerMinute, Long tokensPerMinute, String source) {
        public static final Limits NONE = new Limits(null, null, "none");

        public boolean any() {
            return requestsPerMinute != null || tokensPerMinute != null;
        }
    }

    private record Snapshot(Limits defaults, Map<UUID, Limits> users, Map<UUID, Limits> keys, long count, Timestamp latest) { }

    private final RateLimitOverrideRepository repository;
    private final GatewayConfig config;
    private volatile Snapshot snapshot;

    public RateLimitSettings(RateLimitOverrideRepository repository, GatewayConfig config) {
        this.repository = repository;
        this.config = config;
        this.snapshot = new Snapshot(configured(config.rateLimits().defaultLimit()), configuredMap(config.rateLimits().users()),
                configuredMap(config.rateLimits().accessKeys()), -1, null);
    }

    void onStart(@Observes StartupEvent e) {
        refresh();
    }

    @Scheduled(every = "${parley.gateway.rate-limits.settings-refresh:PT5S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            reloadIfChanged();
        } catch (SQLException e) {
            LOG.warnf("Could not reload rate-limit settings (keeping the last ones): %s", e.getMessage());
        }
    }

    /** Whether any limit is configured at all (when none, calls skip rate limiting entirely). */
    public boolean anyLimits() {
        Snapshot s = snapshot;
        return s.defaults.any() || !s.users.isEmpty() || !s.keys.isEmpty();
    }

    public Limits forUser(UUID userId) {
        Snapshot s = snapshot;
        Limits own = s.users.get(userId);
        return own != null ? own : s.defaults;
    }

    /** An access key's own limit, applied on top of its user's; none unless one was set. */
    public Limits forAccessKey(UUID keyId) {
        Limits own = keyId == null ? null : snapshot.keys.get(keyId);
        return own != null ? own : Limits.NONE;
    }

    public Limits defaults() {
        return snapshot.defaults;
    }

    /** The override stored for a subject, if any. */
    public Optional<Limits> stored(String type, UUID id) {
        Snapshot s = snapshot;
        return Optional.ofNullable(switch (type) {
            case "default" -> "none".equals(s.defaults.source()) ? null : s.defaults;
            case "user" -> s.users.get(id);
            default -> s.keys.get(id);
        });
    }

    public void put(String type, UUID id, Long rpm, Long tpm, UUID by) throws SQLException {
        repository.upsert(type, id, rpm, tpm, by);
        reloadIfChanged();
    }

    /** Removes an override; answers whether there was one. */
    public boolean delete(String type, UUID id) throws SQLException {
        boolean had = repository.delete(type, id);
        reloadIfChanged();
        return had;
    }

    synchronized void reloadIfChanged() throws SQLException {
        RateLimitOverrideRepository.Version version = repository.version();
        Snapshot old = snapshot;
        if (version.count() == old.count && Objects.equals(version.latest(), old.latest)) {
            return;
        }
        Limits defaults = configured(config.rateLimits().defaultLimit());
        Map<UUID, Limits> users = configuredMap(config.rateLimits().users());
        Map<UUID, Limits> keys = configuredMap(config.rateLimits().accessKeys());
        for (RateLimitOverrideRepository.Override o : repository.all()) {
            Limits l = new Limits(o.requestsPerMinute(), o.tokensPerMinute(), "admin");
            switch (o.subjectType()) {
                case "default" -> defaults = l;
                case "user" -> users.put(o.subjectId(), l);
                default -> keys.put(o.subjectId(), l);
            }
        }
        snapshot = new Snapshot(defaults, Map.copyOf(users), Map.copyOf(keys), version.count(), version.latest());
    }

    private static Limits configured(GatewayConfig.Limit l) {
        Long rpm = l.requestsPerMinute().isPresent() ? l.requestsPerMinute().getAsLong() : null;
        Long tpm = l.tokensPerMinute().isPresent() ? l.tokensPerMinute().getAsLong() : null;
        return rpm == null && tpm == null ? Limits.NONE : new Limits(rpm, tpm, "config");
    }

    private static Map<UUID, Limits> configuredMap(Map<String, GatewayConfig.Limit> byId) {
        Map<UUID, Limits> out = new HashMap<>();
        byId.forEach((id, l) -> {
            try {
                out.put(UUID.fromString(id), configured(l));
            } catch (IllegalArgumentException e) {
                LOG.warnf("Ignoring the rate limit for '%s': not a UUID", id);
            }
        });
        return out;
    }
}
