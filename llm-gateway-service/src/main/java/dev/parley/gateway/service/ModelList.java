package dev.parley.gateway.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.provider.OpenAiCompatibleProvider;
import dev.parley.gateway.provider.ProviderRegistry;
import dev.parley.gateway.service.ModelCatalog.ModelInfo;
import dev.parley.platform.auth.Caller;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code GET /v1/models}: what this caller can use. The built-in models, the operator's routes, the models of the
 * providers with a key for this caller (theirs or the operator's), the routes of the caller and the global ones, the
 * models the caller's own OpenAI-compatible servers list ({@link ServerModels}), filtered by an access key's
 * {@code allowed_models}.
 * Each entry carries OpenAI's fields plus {@code context_window}, {@code max_output_tokens} and {@code capabilities}.
 */
@ApplicationScoped
public class ModelList {
    /** A fixed creation time: the gateway does not know when a provider created a model. */
    static final long CREATED = 1_700_000_000L;

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Model(String id, String object, long created, String ownedBy, Integer contextWindow,
                        Integer maxOutputTokens, Map<String, Boolean> capabilities) { }

    public record ModelPage(String object, List<Model> data) { }

    private final ModelCatalog catalog;
    private final GatewayConfig config;
    private final ProviderKeys keys;
    private final ProviderRegistry registry;
    private final UserRoutes userRoutes;
    private final ServerModels servers;
    private final Vertx vertx;

    public ModelList(ModelCatalog catalog, GatewayConfig config, ProviderKeys keys, ProviderRegistry registry,
                     UserRoutes userRoutes, ServerModels servers, Vertx vertx) {
        this.userRoutes = userRoutes;
        this.servers = servers;
        this.vertx = vertx;
        this.catalog = catalog;
        this.config = config;
        this.keys = keys;
        this.registry = registry;
    }

    public Future<ModelPage> list(Caller caller) {
        Map<String, Model> out = new LinkedHashMap<>();
        for (String id : registry.ownModelIds()) {
            add(out, id);
        }
        for (Map.Entry<String, GatewayConfig.Route> r : config.routes().entrySet()) {
            List<GatewayConfig.Deployment> ds = r.getValue().deployments();
            Optional<ModelInfo> like = ds.isEmpty() ? Optional.empty() : catalog.find(ds.get(0).provider() + "/" + ds.get(0).model());
            out.put(r.getKey(), model(r.getKey(), ProviderRegistry.PARLEY, like.orElse(null)));
        }
        Future<List<UserRoutes.UserRoute>> own = userRoutes.visible(caller.userId());
        List<String> providers = new ArrayList<>();
        registry.builtIns().forEach(p -> providers.add(p.name()));
        providers.addAll(config.providers().keySet().stream().filter(p -> registry.builtIn(p) == null).sorted().toList());
        List<Future<Optional<ProviderKeyClientKey>>> checks = new ArrayList<>();
        for (String p : providers) {
            checks.add(usable(caller, p));
        }
        Future<Map<String, Model>> servers = ownServers(caller);
        return Future.join(checks).transform(ar -> Future.join(own, servers)).transform(ar -> {
            Map<String, Model> served = servers.succeeded() ? servers.result() : Map.of();
            if (own.succeeded()) {
                // A user's and the global routes, after the operator's (which win over them), like a route: first step's model
                for (UserRoutes.UserRoute r : own.result()) {
                    String first = r.deployments().get(0).model();
                    Optional<ModelInfo> like = catalog.find(first);
                    Model m = model(r.alias(), r.userId() == null ? ProviderRegistry.PARLEY : "user", like.orElse(null));
                    Model server = served.get(first);
                    if (like.isEmpty() && server != null) {
                        m = new Model(r.alias(), "model", CREATED, m.ownedBy(), server.contextWindow(), server.maxOutputTokens(),
                                server.capabilities());
                    }
                    out.putIfAbsent(r.alias(), m);
                }
            }
            for (int i = 0; i < providers.size(); i++) {
                Future<Optional<ProviderKeyClientKey>> f = checks.get(i);
                if (f.failed() || f.result().isEmpty()) {
                    continue;
                }
                String p = providers.get(i);
                for (ModelInfo m : catalog.ofProvider(p)) {
                    out.putIfAbsent(m.id(), model(m.id(), p, m));
                }
                GatewayConfig.Provider operator = config.providers().get(p);
                if (operator != null) {
                    for (String name : operator.models().orElse(List.of())) {
                        String id = p + "/" + name;
                        out.putIfAbsent(id, model(id, p, catalog.find(id).orElse(null)));
                    }
                }
            }
            served.forEach(out::putIfAbsent);
            List<Model> data = out.values().stream().filter(m -> caller.mayUseModel(m.id())).toList();
            return Future.succeededFuture(new ModelPage("list", data));
        });
    }

    public Future<Model> find(Caller caller, String id) {
        return list(caller).compose(page -> page.data().stream().filter(m -> m.id().equals(id)).findFirst()
                .map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(OpenAiException.modelNotFound(id, null))));
    }

    /**
     * The models the caller's own OpenAI-compatible servers list ({@code <key name>/<model id>}), with the context
     * window each server reports (else the catalogue's, else null): what is known within {@code server-models.max-wait};
     * reads still running complete into the cache for the next listing.
     */
    private Future<Map<String, Model>> ownServers(Caller caller) {
        if (caller.userId() == null || !config.serverModels().enabled()) {
            return Future.succeededFuture(Map.of());
        }
        Context context = Vertx.currentContext();
        Promise<Map<String, Model>> done = Promise.promise();
        AtomicReference<List<Future<Map<String, Model>>>> each = new AtomicReference<>(List.of());
        Runnable finish = () -> {
            Map<String, Model> all = new LinkedHashMap<>();
            for (Future<Map<String, Model>> f : each.get()) {
                if (f.succeeded()) {
                    f.result().forEach(all::putIfAbsent);
                }
            }
            if (context == null) {
                done.tryComplete(all);
            } else {
                context.runOnContext(v -> done.tryComplete(all));
            }
        };
        long timer = vertx.setTimer(config.serverModels().maxWait().toMillis(), t -> finish.run());
        keys.names(caller.userId(), OpenAiCompatibleProvider.TYPE).onComplete(ar -> {
            List<Future<Map<String, Model>>> reads = new ArrayList<>();
            for (String name : ar.succeeded() ? ar.result() : List.<String>of()) {
                reads.add(keys.find(caller.userId(), name).compose(k -> k.isEmpty() || !OpenAiCompatibleProvider.TYPE.equals(k.get().provider())
                        ? Future.succeededFuture(Map.of())
                        : servers.of(k.get()).map(list -> entries(name, list))));
            }
            each.set(reads);
            Future.join(new ArrayList<>(reads)).onComplete(v -> {
                vertx.cancelTimer(timer);
                finish.run();
            });
        });
        return done.future();
    }

    private Map<String, Model> entries(String keyName, List<ServerModels.ServerModel> models) {
        Map<String, Model> out = new LinkedHashMap<>();
        for (ServerModels.ServerModel sm : models) {
            String id = keyName + "/" + sm.id();
            ModelInfo known = catalog.find(id).orElse(null);
            Model m = model(id, keyName, known);
            out.put(id, new Model(id, "model", CREATED, keyName,
                    sm.contextWindow() != null ? sm.contextWindow() : m.contextWindow(),
                    sm.maxOutputTokens() != null ? sm.maxOutputTokens() : m.maxOutputTokens(), m.capabilities()));
        }
        return out;
    }

    /** Marker: the caller can call this provider (their key or the operator's). */
    private record ProviderKeyClientKey() { }

    private Future<Optional<ProviderKeyClientKey>> usable(Caller caller, String provider) {
        GatewayConfig.Provider operator = config.providers().get(provider);
        boolean operatorUsable = operator != null
                && (operator.apiKey().filter(k -> !k.isBlank()).isPresent()
                        || (OpenAiCompatibleProvider.TYPE.equals(operator.type()) && registry.builtIn(provider) == null));
        if (operatorUsable) {
            return Future.succeededFuture(Optional.of(new ProviderKeyClientKey()));
        }
        return keys.find(caller.userId(), provider).map(k -> k.map(x -> new ProviderKeyClientKey()));
    }

    private void add(Map<String, Model> out, String id) {
        out.put(id, model(id, ProviderRegistry.PARLEY, catalog.find(id).orElse(null)));
    }

    private static Model model(String id, String ownedBy, ModelInfo info) {
        Map<String, Boolean> caps = new LinkedHashMap<>();
        for (String c : ModelCatalog.CAPABILITIES) {
            caps.put(c, info != null && info.can(c));
        }
        return new Model(id, "model", CREATED, info != null ? info.ownedBy() : ownedBy,
                info == null ? null : info.contextWindow(), info == null ? null : info.maxOutputTokens(), caps);
    }
}
