package dev.parley.gateway.service;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.platform.egress.EgressPolicy;
import dev.parley.gateway.client.UpstreamHttp;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.openai.OpenAiErrors;
import dev.parley.platform.client.ServiceTokenProvider;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/** Runs {@code /v1/chat/completions} and {@code /v1/embeddings} calls: one {@link ProxyCall} per request. */
@ApplicationScoped
public class ProxyService {
    final Vertx vertx;
    final UpstreamHttp upstream;
    final EgressPolicy egress;
    final CircuitBreakers breakers;
    final ProviderKeys keys;
    final GatewayMetrics metrics;
    final UsageOutbox outbox;
    final IdempotencyStore idempotency;
    final RequestLog requestLog;
    final OpenAiErrors errors;
    final ObjectMapper mapper;
    final EchoModel echo;
    final GatewayConfig config;
    final ServiceTokenProvider tokens;
    final dev.parley.gateway.service.ratelimit.RateLimiter limiter;
    final ProxyCall.GatewayRetry retry;
    final long heartbeatNanos;
    final long deadlineNanos;

    public ProxyService(Vertx vertx, UpstreamHttp upstream, EgressPolicy egress, CircuitBreakers breakers, ProviderKeys keys,
                     GatewayMetrics metrics, UsageOutbox outbox, IdempotencyStore idempotency, RequestLog requestLog,
                     OpenAiErrors errors, ObjectMapper mapper, GatewayConfig config, ServiceTokenProvider tokens,
                     dev.parley.gateway.service.ratelimit.RateLimiter limiter) {
        this.limiter = limiter;
        this.vertx = vertx;
        this.upstream = upstream;
        this.egress = egress;
        this.breakers = breakers;
        this.keys = keys;
        this.metrics = metrics;
        this.outbox = outbox;
        this.idempotency = idempotency;
        this.requestLog = requestLog;
        this.errors = errors;
        this.mapper = mapper;
        this.echo = new EchoModel(mapper);
        this.config = config;
        this.tokens = tokens;
        this.retry = new ProxyCall.GatewayRetry(config);
        this.heartbeatNanos = config.stream().heartbeatInterval().toNanos();
        this.deadlineNanos = config.upstream().requestDeadline().toNanos();
    }

    /** Starts a chat call on the request's event loop; it answers the client itself. */
    public void chat(RoutingContext rc, CallContext call, ObjectNode request, List<Target> targets) {
        new ProxyCall(this, rc, call, request, targets, false).start();
    }

    /** Starts an embeddings call on the request's event loop. */
    public void embeddings(RoutingContext rc, CallContext call, ObjectNode request, List<Target> targets) {
        new ProxyCall(this, rc, call, request, targets, true).start();
    }
}
