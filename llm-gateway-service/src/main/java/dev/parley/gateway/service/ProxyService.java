package dev.parley.gateway.service;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.client.UpstreamHttp;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.openai.OpenAiErrors;
import dev.parley.platform.egress.EgressPolicy;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Runs {@code /v1/chat/completions} and {@code /v1/embeddings} calls on the request's event loop: one
 * {@link CallLoop} per request (with its {@link StreamRelay} or {@link CompletionAnswer}, and its {@link CallMeter}).
 */
@ApplicationScoped
public class ProxyService {
    private final CallLoop.Services services;
    private final CallMetering metering;

    public ProxyService(Vertx vertx, UpstreamHttp upstream, EgressPolicy egress, CircuitBreakers breakers, ProviderKeys keys,
                        GatewayMetrics metrics, IdempotencyStore idempotency, OpenAiErrors errors, ObjectMapper mapper,
                        GatewayConfig config, CallMetering metering, ModelCatalog catalog) {
        this.services = new CallLoop.Services(vertx, upstream, egress, breakers, keys, metrics, errors, idempotency, mapper,
                new RetryPolicy(config.retry()), config.upstream().requestDeadline().toNanos(),
                config.stream().heartbeatInterval().toNanos(), config.upstream().maxResponseBytes(), catalog);
        this.metering = metering;
    }

    /** Starts a chat call; it answers the client itself. */
    public void chat(RoutingContext rc, CallContext call, ObjectNode request, List<Target> targets) {
        start(rc, call, request, targets, false);
    }

    /** Starts an embeddings call; it answers the client itself. */
    public void embeddings(RoutingContext rc, CallContext call, ObjectNode request, List<Target> targets) {
        start(rc, call, request, targets, true);
    }

    private void start(RoutingContext rc, CallContext call, ObjectNode request, List<Target> targets, boolean embeddings) {
        boolean stream = !embeddings && request.path("stream").asBoolean(false);
        CallMeter meter = metering.start(call, request, embeddings, stream);
        new CallLoop(services, rc, call, request, targets, embeddings, meter).start();
    }
}
