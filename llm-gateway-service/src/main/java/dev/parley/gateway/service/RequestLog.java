package dev.parley.gateway.service;

import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.repository.RequestLogRepository;
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

    private final RequestLogRepository repository;
    private final Vertx vertx;
    private final GatewayConfig.RequestLogging config;

    public RequestLog(RequestLogRepository repository, Vertx vertx, GatewayConfig config) {
        this.repository = repository;
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
            repository.insert(requestId, userId, model, status, request, response);
            return null;
        }, false).onFailure(e -> LOG.warnf("request log write failed: %s", e.getMessage()));
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void cleanup() throws SQLException {
        repository.deleteOlderThan(Instant.now().minus(config.retention()));
    }
}
