package dev.parley.gateway.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.provider.OpenAiCompatibleProvider;
import dev.parley.gateway.provider.ProviderRegistry;
import dev.parley.gateway.service.ModelCatalog.ModelInfo;
import dev.parley.platform.auth.Caller;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code GET /v1/models}: what this caller can use. The built-in models, the operator's routes, the models of the
 * providers with a key for this caller (theirs or the operator's), filtered by an access key's {@code allowed_models}.
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

    public ModelList(ModelCatalog catalog, GatewayConfig config, ProviderKeys keys, ProviderRegistry registry,
                     UserRoutes userRoutes) {
        this.userRoutes = userRoutes;
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
        return Future.join(checks).transform(ar -> own).transform(ar -> {
            if (ar.succeeded()) {
                // A user's and the global routes, after the operator's (which win over them), like a route: first step's model
                for (UserRoutes.UserRoute r : ar.result()) {
                    Optional<ModelInfo> like = catalog.find(r.deployments().get(0).model());
                    out.putIfAbsent(r.alias(), model(r.alias(), r.userId() == null ? ProviderRegistry.PARLEY : "user", like.orElse(null)));
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
            List<Model> data = out.values().stream().filter(m -> caller.mayUseModel(m.id())).toList();
            return Future.succeededFuture(new ModelPage("list", data));
        });
    }

    public Future<Model> find(Caller caller, String id) {
        return list(caller).compose(page -> page.data().stream().filter(m -> m.id().equals(id)).findFirst()
                .map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(OpenAiException.modelNotFound(id, null))));
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
