package dev.parley.gateway.service;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.repository.IdempotencyRepository;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * {@code Idempotency-Key} on non-streaming calls, per user: the first call claims the key, its 2xx answer is stored,
 * and a retry within the TTL (24 h) gets that answer back without calling the provider or being metered again. A
 * retry while the first call still runs gets 409; the same key with a different body gets 422; a failed call releases
 * the key so the retry runs. A claim left by a crashed replica is taken over after the request deadline.
 */
@ApplicationScoped
public class IdempotencyStore {
    private static final Logger LOG = Logger.getLogger(IdempotencyStore.class);

    public record Claim(UUID userId, String key) { }

    /** What a claim attempt found: a fresh claim, or a stored answer to replay. */
    public record Outcome(Claim claim, int status, String body, String deployment) {
        public boolean replay() {
            return claim == null;
        }
    }

    private final IdempotencyRepository repository;
    private final Vertx vertx;
    private final Duration ttl;
    private final Duration takeover;

    public IdempotencyStore(IdempotencyRepository repository, Vertx vertx, GatewayConfig config) {
        this.repository = repository;
        this.vertx = vertx;
        this.ttl = config.idempotency().ttl();
        this.takeover = config.upstream().requestDeadline();
    }

    public Future<Outcome> claim(UUID userId, String key, String requestHash) {
        return vertx.executeBlocking(() -> claimBlocking(userId, key, requestHash), false);
    }

    Outcome claimBlocking(UUID userId, String key, String requestHash) throws SQLException {
        if (repository.insert(userId, key, requestHash)) {
            return new Outcome(new Claim(userId, key), 0, null, null);
        }
        Optional<IdempotencyRepository.Entry> found = repository.find(userId, key);
        if (found.isEmpty()) {
            return claimBlocking(userId, key, requestHash); // released between our insert and select: claim again
        }
        IdempotencyRepository.Entry e = found.get();
        Instant now = Instant.now();
        boolean expired = e.createdAt().plus(ttl).isBefore(now);
        boolean abandoned = e.status() == null && e.createdAt().plus(takeover).isBefore(now);
        if (expired || abandoned) {
            if (repository.takeOver(userId, key, requestHash, e.createdAt())) {
                return new Outcome(new Claim(userId, key), 0, null, null);
            }
            throw inProgress();
        }
        if (!e.requestHash().equals(requestHash)) {
            throw new OpenAiException(422, "invalid_request_error", "idempotency_key_reused", null,
                    "This Idempotency-Key was used with a different request body.");
        }
        if (e.status() == null) {
            throw inProgress();
        }
        return new Outcome(null, e.status(), e.body(), e.deployment());
    }

    private static OpenAiException inProgress() {
        return new OpenAiException(409, "invalid_request_error", "idempotency_key_in_use", null,
                "A request with this Idempotency-Key is in progress; retry later.");
    }

    /** Stores the answer before it is sent, so a retry can never run the call a second time. */
    public Future<Void> complete(Claim claim, int status, String body, String deployment) {
        return vertx.executeBlocking(() -> {
            repository.complete(claim.userId(), claim.key(), status, body, deployment);
            return null;
        }, false);
    }

    /** The call failed: the key is free for a retry. */
    public void release(Claim claim) {
        vertx.executeBlocking(() -> {
            repository.release(claim.userId(), claim.key());
            return null;
        }, false).onFailure(e -> LOG.warnf("idempotency key not released: %s", e.getMessage()));
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void cleanup() throws SQLException {
        int n = repository.deleteOlderThan(Instant.now().minus(ttl));
        if (n > 0) {
            LOG.infof("idempotency keys: %d expired entries deleted", n);
        }
    }
}
