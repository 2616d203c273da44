package dev.parley.gateway.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;

import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.openai.OpenAiException;
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

    private final DataSource dataSource;
    private final Vertx vertx;
    private final Duration ttl;
    private final Duration takeover;

    public IdempotencyStore(DataSource dataSource, Vertx vertx, GatewayConfig config) {
        this.dataSource = dataSource;
        this.vertx = vertx;
        this.ttl = config.idempotency().ttl();
        this.takeover = config.upstream().requestDeadline();
    }

    public Future<Outcome> claim(UUID userId, String key, String requestHash) {
        return vertx.executeBlocking(() -> claimBlocking(userId, key, requestHash), false);
    }

    Outcome claimBlocking(UUID userId, String key, String requestHash) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ins = c.prepareStatement(
                    "insert into idempotency_keys (user_id, idem_key, request_hash) values (?, ?, ?) on conflict do nothing")) {
                ins.setObject(1, userId);
                ins.setString(2, key);
                ins.setString(3, requestHash);
                if (ins.executeUpdate() == 1) {
                    return new Outcome(new Claim(userId, key), 0, null, null);
                }
            }
            try (PreparedStatement sel = c.prepareStatement(
                    "select request_hash, status_code, response_body, deployment, created_at from idempotency_keys where user_id = ? and idem_key = ?")) {
                sel.setObject(1, userId);
                sel.setString(2, key);
                try (ResultSet rs = sel.executeQuery()) {
                    if (!rs.next()) {
                        // released between our insert and select: claim again
                        return claimBlocking(userId, key, requestHash);
                    }
                    Instant created = rs.getTimestamp(5).toInstant();
                    boolean expired = created.plus(ttl).isBefore(Instant.now());
                    int status = rs.getInt(2);
                    boolean complete = !rs.wasNull();
                    boolean abandoned = !complete && created.plus(takeover).isBefore(Instant.now());
                    if (expired || abandoned) {
                        try (PreparedStatement up = c.prepareStatement(
                                "update idempotency_keys set request_hash = ?, status_code = null, response_body = null, deployment = null, "
                                        + "created_at = now(), completed_at = null where user_id = ? and idem_key = ? and created_at = ?")) {
                            up.setString(1, requestHash);
                            up.setObject(2, userId);
                            up.setString(3, key);
                            up.setTimestamp(4, Timestamp.from(created));
                            if (up.executeUpdate() == 1) {
                                return new Outcome(new Claim(userId, key), 0, null, null);
                            }
                        }
                        throw new OpenAiException(409, "invalid_request_error", "idempotency_key_in_use", null,
                                "A request with this Idempotency-Key is in progress; retry later.");
                    }
                    if (!rs.getString(1).trim().equals(requestHash)) {
                        throw new OpenAiException(422, "invalid_request_error", "idempotency_key_reused", null,
                                "This Idempotency-Key was used with a different request body.");
                    }
                    if (!complete) {
                        throw new OpenAiException(409, "invalid_request_error", "idempotency_key_in_use", null,
                                "A request with this Idempotency-Key is in progress; retry later.");
                    }
                    return new Outcome(null, status, rs.getString(3), rs.getString(4));
                }
            }
        }
    }

    /** Stores the answer before it is sent, so a retry can never run the call a second time. */
    public Future<Void> complete(Claim claim, int status, String body, String deployment) {
        return vertx.executeBlocking(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "update idempotency_keys set status_code = ?, response_body = ?, deployment = ?, completed_at = now() "
                            + "where user_id = ? and idem_key = ?")) {
                ps.setInt(1, status);
                ps.setString(2, body);
                ps.setString(3, deployment);
                ps.setObject(4, claim.userId());
                ps.setString(5, claim.key());
                ps.executeUpdate();
            }
            return null;
        }, false);
    }

    /** The call failed: the key is free for a retry. */
    public void release(Claim claim) {
        vertx.executeBlocking(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "delete from idempotency_keys where user_id = ? and idem_key = ? and status_code is null")) {
                ps.setObject(1, claim.userId());
                ps.setString(2, claim.key());
                ps.executeUpdate();
            }
            return null;
        }, false).onFailure(e -> LOG.warnf("idempotency key not released: %s", e.getMessage()));
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void cleanup() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "delete from idempotency_keys where created_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(Instant.now().minus(ttl)));
            int n = ps.executeUpdate();
            if (n > 0) {
                LOG.infof("idempotency keys: %d expired entries deleted", n);
            }
        }
    }
}
