package dev.parley.gateway.service;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.gateway.client.ProviderKeyClient.UserKey;
import dev.parley.gateway.client.UpstreamHttp;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.provider.Provider;
import dev.parley.gateway.provider.ProviderRegistry;
import dev.parley.platform.auth.ExpiringCache;
import dev.parley.platform.egress.EgressPolicy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The models an OpenAI-compatible server lists at {@code GET {base_url}/models} (Ollama, llama.cpp, vLLM, LM Studio,
 * Groq, OpenRouter…), with the context window each reports, cached per key for {@code server-models.cache-ttl} and
 * renewed in the background during its last fifth, through the egress policy. A server that is down, slow or
 * answers garbage never fails a listing: its last good list is used (and asked again after 30 s), else it lists
 * nothing; a caller waits at most {@code max-wait} for a server with no list yet.
 */
@ApplicationScoped
public class ServerModels {
    private static final Logger LOG = Logger.getLogger(ServerModels.class);
    static final Duration RETRY_FAILED = Duration.ofSeconds(30);
    static final Duration KEEP = Duration.ofHours(1);
    static final int MAX_BYTES = 4 * 1024 * 1024;

    /** One model a server lists; the context window and output limit where the server reports them, else null. */
    public record ServerModel(String id, Integer contextWindow, Integer maxOutputTokens) { }

    private final UpstreamHttp http;
    private final EgressPolicy egress;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final Provider openAiCompatible;
    private final GatewayConfig.ServerModels config;
    private final ExpiringCache<String, List<ServerModel>> cache = new ExpiringCache<>(20_000, Clock.systemUTC());
    private final Map<String, Future<List<ServerModel>>> inFlight = new ConcurrentHashMap<>();

    public ServerModels(UpstreamHttp http, EgressPolicy egress, ObjectMapper mapper, Vertx vertx, ProviderRegistry registry,
                        GatewayConfig config) {
        this.http = http;
        this.egress = egress;
        this.mapper = mapper;
        this.vertx = vertx;
        this.openAiCompatible = registry.ofType(dev.parley.gateway.provider.OpenAiCompatibleProvider.TYPE);
        this.config = config.serverModels();
    }

    /** The key's server's models: cached, or read within {@code max-wait}, or none (never a failure). */
    public Future<List<ServerModel>> of(UserKey key) {
        if (!config.enabled() || key.baseUrl() == null || key.baseUrl().isBlank()) {
            return Future.succeededFuture(List.of());
        }
        String id = key.id() + "|" + key.baseUrl();
        Optional<List<ServerModel>> fresh = cache.fresh(id);
        if (fresh.isPresent()) {
            if (cache.claimRefresh(id, config.cacheTtl().dividedBy(5))) {
                fetch(id, key);
            }
            return Future.succeededFuture(fresh.get());
        }
        Future<List<ServerModel>> fetched = fetch(id, key);
        Optional<List<ServerModel>> stale = cache.stale(id);
        if (stale.isPresent()) {
            return Future.succeededFuture(stale.get()); // known: answer now, the fresh list lands in the cache
        }
        Promise<List<ServerModel>> bounded = Promise.promise();
        long timer = vertx.setTimer(config.maxWait().toMillis(), t -> bounded.tryComplete(List.of()));
        fetched.onComplete(ar -> {
            vertx.cancelTimer(timer);
            bounded.tryComplete(ar.succeeded() ? ar.result() : List.of());
        });
        return bounded.future();
    }

    /** One read of the server at a time per key; the answer (or the failure) goes into the cache. */
    private Future<List<ServerModel>> fetch(String id, UserKey key) {
        Promise<List<ServerModel>> mine = Promise.promise();
        Future<List<ServerModel>> running = inFlight.putIfAbsent(id, mine.future());
        if (running != null) {
            return running;
        }
        read(key).onComplete(ar -> {
            if (ar.succeeded()) {
                cache.put(id, ar.result(), config.cacheTtl(), KEEP);
            } else {
                LOG.warnf("the model list of provider key '%s' could not be read (%s)", key.name(), describe(ar.cause()));
                Optional<List<ServerModel>> last = cache.stale(id);
                cache.put(id, last.orElse(List.of()), RETRY_FAILED, last.isPresent() ? KEEP : Duration.ZERO);
            }
            inFlight.remove(id);
            mine.handle(ar);
        });
        return mine.future();
    }

    private Future<List<ServerModel>> read(UserKey key) {
        URI base;
        try {
            base = URI.create(key.baseUrl());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        long timeout = config.timeout().toMillis();
        Promise<List<ServerModel>> done = Promise.promise();
        long timer = vertx.setTimer(timeout, t -> done.tryFail(new IllegalStateException("no answer within " + config.timeout())));
        openAiCompatible.destination(base, egress)
                .compose(address -> http.get(base, "/models", address, openAiCompatible, key.apiKey(), timeout))
                .onFailure(done::tryFail)
                .onSuccess(resp -> {
                    if (resp.statusCode() != 200) {
                        resp.handler(chunk -> { }); // read and dropped: the connection goes back to the pool
                        resp.exceptionHandler(e -> { });
                        done.tryFail(new IllegalStateException("status " + resp.statusCode()));
                        return;
                    }
                    UpstreamHttp.readBody(resp, MAX_BYTES, body -> {
                        try {
                            done.tryComplete(parse(mapper.readTree(body.getBytes()), config.maxModels()));
                        } catch (java.io.IOException | RuntimeException e) {
                            done.tryFail(new IllegalStateException("not a model list"));
                        }
                    }, done::tryFail);
                });
        return done.future().onComplete(ar -> vertx.cancelTimer(timer));
    }

    /**
     * OpenAI's list shape ({@code {"data":[{"id",…}]}}) with each server's own context field: vLLM
     * {@code max_model_len}, OpenRouter and LM Studio {@code context_length} (OpenRouter's {@code top_provider} too),
     * LM Studio's REST API {@code max_context_length}, Groq {@code context_window}, llama.cpp {@code meta.n_ctx_train}.
     * Ollama's OpenAI-compatible list reports none. Anything else is not a model list.
     */
    static List<ServerModel> parse(JsonNode root, int max) {
        JsonNode data = root == null ? null : root.get("data");
        if (data == null || !data.isArray()) {
            throw new IllegalArgumentException("no data array");
        }
        Set<String> seen = new LinkedHashSet<>();
        List<ServerModel> out = new ArrayList<>();
        for (JsonNode m : data) {
            JsonNode id = m.get("id");
            if (id == null || !id.isTextual() || id.asText().isBlank() || id.asText().length() > 200 || !seen.add(id.asText())) {
                continue;
            }
            Integer context = firstPositive(m.get("max_model_len"), m.get("context_length"), m.get("context_window"),
                    m.get("max_context_length"), m.path("meta").get("n_ctx_train"), m.path("top_provider").get("context_length"));
            Integer output = firstPositive(m.get("max_completion_tokens"), m.path("top_provider").get("max_completion_tokens"));
            out.add(new ServerModel(id.asText(), context, output));
            if (out.size() >= max) {
                break;
            }
        }
        return List.copyOf(out);
    }

    private static Integer firstPositive(JsonNode... values) {
        for (JsonNode v : values) {
            if (v != null && v.canConvertToInt() && v.isIntegralNumber() && v.asInt() > 0) {
                return v.asInt();
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t instanceof IllegalStateException ? ": " + t.getMessage() : "");
    }
}
