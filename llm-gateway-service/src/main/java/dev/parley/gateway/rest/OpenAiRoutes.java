package dev.parley.gateway.rest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.openai.OpenAiErrors;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.TokenCounter;
import dev.parley.gateway.service.BudgetGuard;
import dev.parley.gateway.service.CallContext;
import dev.parley.gateway.service.IdempotencyStore;
import dev.parley.gateway.service.ModelList;
import dev.parley.gateway.service.ProxyService;
import dev.parley.gateway.service.RouteResolver;
import dev.parley.gateway.service.ratelimit.RateLimiter;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.config.HttpConfig;
import dev.parley.platform.http.Uuids;
import dev.parley.platform.ratelimit.ApiRateLimiter;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The OpenAI-compatible surface, as Vert.x routes on the event loop (the gateway's hot path: no worker-thread hop,
 * no blocking): {@code POST /v1/chat/completions}, {@code POST /v1/embeddings}, {@code GET /v1/models[/{id}]}.
 * Every failure is answered in OpenAI's error shape.
 */
@ApplicationScoped
public class OpenAiRoutes {
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final ProxyService proxy;
    private final RouteResolver routes;
    private final ModelList models;
    private final IdempotencyStore idempotency;
    private final GatewayMetrics metrics;
    private final OpenAiErrors errors;
    private final ObjectMapper mapper;
    private final long bodyLimit;
    private final BudgetGuard budget;
    private final RateLimiter limiter;
    private final V1Limits limits;

    public OpenAiRoutes(ProxyService proxy, RouteResolver routes, ModelList models, IdempotencyStore idempotency,
                        GatewayMetrics metrics, OpenAiErrors errors, ObjectMapper mapper, HttpConfig http,
                        BudgetGuard budget, RateLimiter limiter, ApiRateLimiter apiLimits) {
        this.budget = budget;
        this.limiter = limiter;
        this.limits = new V1Limits(apiLimits);
        this.proxy = proxy;
        this.routes = routes;
        this.models = models;
        this.idempotency = idempotency;
        this.metrics = metrics;
        this.errors = errors;
        this.mapper = mapper;
        this.bodyLimit = http.maxBodySize().asLongValue();
    }

    void register(@Observes Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(bodyLimit);
        router.post("/v1/chat/completions").handler(body).handler(this::chat).failureHandler(this::failure);
        router.post("/v1/embeddings").handler(body).handler(this::embeddings).failureHandler(this::failure);
        router.get("/v1/models").handler(this::listModels).failureHandler(this::failure);
        router.getWithRegex("/v1/models/(?<id>.+)").handler(this::getModel).failureHandler(this::failure);
        // Registered right after the endpoints, so they run before Quarkus REST (which would answer 404 itself).
        router.route("/v1/*").handler(rc -> {
            boolean known = Set.of("/v1/chat/completions", "/v1/embeddings", "/v1/models").contains(rc.normalizedPath())
                    || rc.normalizedPath().startsWith("/v1/models/");
            errors.write(rc, known
                    ? new OpenAiException(405, "invalid_request_error", "method_not_allowed", null,
                            rc.request().method() + " is not supported on " + safe(rc.normalizedPath()) + ".")
                    : new OpenAiException(404, "invalid_request_error", "unknown_url", null,
                            "Unknown request URL: " + rc.request().method() + " " + safe(rc.normalizedPath()) + "."));
        });
    }

    // ---- chat and embeddings ---------------------------------------------------------------------------------

    void chat(RoutingContext rc) {
        authenticated(rc, this::chat);
    }

    void embeddings(RoutingContext rc) {
        authenticated(rc, this::embeddings);
    }

    private interface Handler {
        void handle(RoutingContext rc, Caller caller, long startNanos);
    }

    /**
     * Authenticates first (as OpenAI does), counts the call against the platform's per-user generation limit, then
     * runs the handler; every failure in OpenAI's error shape.
     */
    private void authenticated(RoutingContext rc, Handler handler) {
        long start = System.nanoTime();
        caller(rc).onComplete(ar -> {
            if (ar.failed()) {
                errors.write(rc, ar.cause());
                return;
            }
            try {
                limits.check(rc, ar.result(), ApiRateLimiter.Kind.GENERATIONS);
                handler.handle(rc, ar.result(), start);
            } catch (OpenAiException e) {
                errors.write(rc, e);
            }
        });
    }

    /** Authenticated first (as OpenAI does: a caller without credentials learns nothing about their request). */
    private void chat(RoutingContext rc, Caller caller, long start) {
        ObjectNode request = jsonBody(rc);
        OpenAiRequests.validateChat(request);
        UUID sessionId = uuidHeader(rc, "X-Parley-Session-Id");
        UUID messageId = uuidHeader(rc, "X-Parley-Message-Id");
        String idemKey = idempotencyKey(rc);
        boolean stream = request.path("stream").asBoolean(false);
        String model = request.get("model").asText();
        UUID callId = Uuids.v7();
        authorize(caller, model)
                .compose(c -> routes.resolve(model, caller.userId()))
                .compose(targets -> admit(rc, caller, callId, request, false).compose(permit -> {
                    Buffer raw = rc.body().buffer();
                    if (idemKey == null || stream) {
                        proxy.chat(rc, new CallContext(callId, caller, sessionId, messageId, start, raw, null, permit),
                                request, targets);
                        return Future.succeededFuture();
                    }
                    UUID owner = caller.userId() != null ? caller.userId()
                            : UUID.nameUUIDFromBytes(("service:" + caller.serviceName()).getBytes(StandardCharsets.UTF_8));
                    return idempotency.claim(owner, idemKey, sha256(rc.body().buffer())).map(outcome -> {
                        if (outcome.replay()) {
                            limiter.settle(permit, 0); // a replay costs no tokens
                            metrics.idempotentReplay();
                            rc.response().setStatusCode(outcome.status())
                                    .putHeader("Content-Type", "application/json")
                                    .putHeader("Idempotent-Replayed", "true")
                                    .putHeader("x-parley-deployment", outcome.deployment() == null ? "" : outcome.deployment())
                                    .end(outcome.body());
                        } else {
                            proxy.chat(rc, new CallContext(callId, caller, sessionId, messageId, start, raw,
                                    outcome.claim(), permit), request, targets);
                        }
                        return null;
                    });
                }))
                .onFailure(e -> errors.write(rc, e));
    }

    private void embeddings(RoutingContext rc, Caller caller, long start) {
        ObjectNode request = jsonBody(rc);
        OpenAiRequests.validateEmbeddings(request);
        UUID sessionId = uuidHeader(rc, "X-Parley-Session-Id");
        UUID messageId = uuidHeader(rc, "X-Parley-Message-Id");
        String model = request.get("model").asText();
        UUID callId = Uuids.v7();
        authorize(caller, model)
                .compose(c -> routes.resolve(model, caller.userId()))
                .compose(targets -> admit(rc, caller, callId, request, true).map(permit -> {
                    proxy.embeddings(rc, new CallContext(callId, caller, sessionId, messageId, start,
                            rc.body().buffer(), null, permit), request, targets);
                    return null;
                }))
                .onFailure(e -> errors.write(rc, e));
    }

    /**
     * Budget, then rate limits: a call over budget does not use up the caller's rate. The rate-limit headers go on
     * every answer of a limited caller (OpenAI's names), the 429 included.
     */
    private Future<RateLimiter.Permit> admit(RoutingContext rc, Caller caller, UUID callId, ObjectNode request, boolean embeddings) {
        return budget.check(caller)
                .compose(v -> limiter.acquire(caller, callId, () -> estimatedTokens(request, embeddings)))
                .onSuccess(permit -> RateLimiter.headers(rc.response().headers(), permit))
                .onFailure(e -> {
                    if (e instanceof RateLimiter.RateLimited limited) {
                        RateLimiter.headers(rc.response().headers(), limited.permit());
                    }
                });
    }

    /** What a call may use, reserved against a tokens-per-minute limit: its prompt plus the output it asks for. */
    static long estimatedTokens(ObjectNode request, boolean embeddings) {
        if (embeddings) {
            return TokenCounter.countInput(request.path("input"));
        }
        long prompt = TokenCounter.countMessages(request.path("messages"));
        JsonNode max = request.hasNonNull("max_completion_tokens") ? request.get("max_completion_tokens") : request.get("max_tokens");
        return prompt + (max != null && max.canConvertToLong() ? Math.max(0, max.asLong()) : 0);
    }

    // ---- models ----------------------------------------------------------------------------------------------

    void listModels(RoutingContext rc) {
        caller(rc).compose(caller -> limits.requests(rc, caller)).compose(models::list)
                .onSuccess(list -> json(rc, list)).onFailure(e -> errors.write(rc, e));
    }

    void getModel(RoutingContext rc) {
        String id = rc.pathParam("id");
        caller(rc).compose(caller -> limits.requests(rc, caller)).compose(caller -> models.find(caller, id))
                .onSuccess(m -> json(rc, m)).onFailure(e -> errors.write(rc, e));
    }

    private void json(RoutingContext rc, Object body) {
        try {
            rc.response().putHeader("Content-Type", "application/json").end(mapper.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            errors.write(rc, e);
        }
    }

    // ---- shared ----------------------------------------------------------------------------------------------

    /** The authenticated caller, delivered back on the request's event loop. */
    private Future<Caller> caller(RoutingContext rc) {
        Context context = Vertx.currentContext();
        Promise<Caller> promise = Promise.promise();
        QuarkusHttpUser.getSecurityIdentity(rc, null).subscribe().with(
                identity -> onContext(context, () -> Caller.of(identity).ifPresentOrElse(promise::complete,
                        () -> promise.fail(limits.anonymous(rc, OpenAiException.unauthenticated(
                                "Missing credentials: send 'Authorization: Bearer <access key or token>'."))))),
                failure -> onContext(context, () -> promise.fail(limits.anonymous(rc, failure))));
        return promise.future();
    }

    /** Runs at once when already on the request's context (a cached access key), else hops back to it. */
    private static void onContext(Context context, Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }

    private static Future<Caller> authorize(Caller caller, String model) {
        if (!caller.mayUseModel(model)) {
            return Future.failedFuture(new OpenAiException(403, "permission_error", "model_not_allowed", "model",
                    "This access key may not use the model '" + model + "' (see its allowed_models)."));
        }
        return Future.succeededFuture(caller);
    }

    private ObjectNode jsonBody(RoutingContext rc) {
        Buffer body = rc.body().buffer();
        if (body == null || body.length() == 0) {
            throw OpenAiException.invalid(null, "The request body must be a JSON object.");
        }
        JsonNode node;
        try {
            node = mapper.readTree(body.getBytes());
        } catch (java.io.IOException e) {
            throw OpenAiException.invalid(null, "The request body is not valid JSON.");
        }
        if (!(node instanceof ObjectNode o)) {
            throw OpenAiException.invalid(null, "The request body must be a JSON object.");
        }
        return o;
    }

    private static UUID uuidHeader(RoutingContext rc, String name) {
        String v = rc.request().getHeader(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(v.trim());
        } catch (IllegalArgumentException e) {
            throw OpenAiException.invalid(null, name + " must be a UUID.");
        }
    }

    private static String idempotencyKey(RoutingContext rc) {
        String key = rc.request().getHeader("Idempotency-Key");
        if (key == null) {
            return null;
        }
        if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw OpenAiException.invalid(null, "Idempotency-Key must be 1 to 255 visible ASCII characters.");
        }
        return key;
    }

    private void failure(RoutingContext rc) {
        int status = rc.statusCode();
        if (status == 413) {
            errors.write(rc, new OpenAiException(413, "invalid_request_error", "request_too_large", null,
                    "The request body is larger than " + bodyLimit + " bytes."));
        } else if (rc.failure() != null) {
            // a refused credential arrives here (Quarkus fails the route), not in caller(): counted the same way
            errors.write(rc, limits.anonymous(rc, rc.failure()));
        } else {
            errors.write(rc, new OpenAiException(status > 0 ? status : 500, status >= 500 || status <= 0 ? "server_error"
                    : "invalid_request_error", null, null, "The request failed."));
        }
    }

    private static String sha256(Buffer body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String safe(String path) {
        String p = path == null ? "" : path.length() > 200 ? path.substring(0, 200) : path;
        return p.replaceAll("[^A-Za-z0-9/._~%-]", "?");
    }
}
