package dev.parley.gateway.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import javax.sql.DataSource;

import dev.parley.gateway.config.GatewayConfig;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Prompt and completion logging, off unless {@code parley.gateway.request-logging.enabled=true}; rows older than
 * {@code retention} are deleted hourly. Prompts are never written to the application log.
 */
@ApplicationScoped
public class RequestLog {
    private static final Logger LOG = Logger.getLogger(RequestLog.class);

    private final DataSource dataSource;
    private final Vertx vertx;
    private final GatewayConfig.RequestLogging config;

    public RequestLog(DataSource dataSource, Vertx vertx, GatewayConfig config) {
        this.dataSource = dataSource;
        this.vertx = vertx;
        this.config = config.requestLogging();
    }

    public boolean enabled() {
        return config.enabled();
    }

    public void record(UUID requestId, UUID userId, String model, int status, String request, String response) {
        if (!config.enabled()) {
            return;
        }
        vertx.executeBlocking(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "insert into request_log (request_id, user_id, model, status, request_body, response_body) values (?, ?, ?, ?, ?, ?)")) {
                ps.setObject(1, requestId);
                ps.setObject(2, userId);
                ps.setString(3, model);
                ps.setInt(4, status);
                ps.setString(5, request);
                ps.setString(6, response);
                ps.executeUpdate();
            }
            return null;
        }, false).onFailure(e -> LOG.warnf("request log write failed: %s", e.getMessage()));
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void cleanup() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "delete from request_log where created_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(Instant.now().minus(config.retention())));
            ps.executeUpdate();
        }
    }
}
