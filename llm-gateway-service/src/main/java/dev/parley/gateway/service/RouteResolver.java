package dev.parley.gateway.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import dev.parley.gateway.client.ProviderKeyClient.UserKey;
import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.provider.OpenAiCompatibleProvider;
import dev.parley.gateway.provider.Provider;
import dev.parley.gateway.provider.ProviderRegistry;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Model name → the ordered deployments to try, each with the key to use. A configured route (alias) lists its
 * deployments; otherwise {@code provider/model} names one deployment of that provider: a built-in one of the
 * {@link ProviderRegistry}, a provider the operator configured, or one of the user's own keys by its name. Whose key: the user's provider
 * key of that name, else the operator's, else (OpenAI-compatible servers of the operator only) none. Which route: the
 * operator's of that alias, else (unless its first segment names a provider or one of the user's keys) the user's
 * own ({@link UserRoutes}), else a global one, else the name is a model.
 */
@ApplicationScoped
public class RouteResolver {
    private final GatewayConfig config;
    private final ProviderKeys keys;
    private final ProviderRegistry providers;
    private final UserRoutes userRoutes;

    public RouteResolver(GatewayConfig config, ProviderKeys keys, ProviderRegistry providers, UserRoutes userRoutes) {
        this.config = config;
        this.userRoutes = userRoutes;
        this.keys = keys;
        this.providers = providers;
    }

    private record Spec(String name, String provider, String model, Optional<String> baseUrl, int weight, int priority,
                        Duration timeout) { }

    /** What a deployment could not be used for (the 4xx names it when no deployment is usable). */
    private record Missing(String provider, String reason) { }

    public Future<List<Target>> resolve(String model, UUID userId) {
        if (model == null || model.isBlank() || model.length() > 256) {
            return Future.failedFuture(OpenAiException.invalid("model", "'model' is required: a name such as openai/gpt-4o-mini or parley/echo."));
        }
        GatewayConfig.Route route = config.routes().get(model);
        if (route != null) {
            List<Spec> specs = new ArrayList<>();
            List<GatewayConfig.Deployment> ds = route.deployments();
            for (int i = 0; i < ds.size(); i++) {
                GatewayConfig.Deployment d = ds.get(i);
                specs.add(new Spec(d.name().orElse(d.provider() + "/" + d.model()), d.provider(), d.model(), d.baseUrl(),
                        Math.max(0, d.weight()), d.priority().orElse(i), d.timeout().orElse(config.upstream().timeout())));
            }
            return targets(model, ordered(specs), false, userId);
        }
        int slash = model.indexOf('/');
        if (slash <= 0 || slash == model.length() - 1) {
            return Future.failedFuture(OpenAiException.modelNotFound(model,
                    "Models are named provider/model, e.g. openai/gpt-4o-mini, parley/echo or <your key name>/<model>."));
        }
        List<Spec> direct = List.of(new Spec(model, model.substring(0, slash), model.substring(slash + 1), Optional.empty(),
                1, 0, config.upstream().timeout()));
        String prefix = model.substring(0, slash);
        if (reservedPrefix(prefix)) {
            return targets(model, direct, true, userId); // no user or global route can start with a provider's name
        }
        // a name starting with one of the user's key names is that key's model: no route (a global one, or one made
        // before the key) hides the user's own server; the lookup is the one the direct path makes anyway (cached)
        return keys.find(userId, prefix).compose(key -> key.isPresent() ? targets(model, direct, true, userId)
                : userRoutes.find(userId, model).compose(found -> found.isPresent()
                        ? targets(model, ordered(specs(found.get())), false, userId)
                        : targets(model, direct, true, userId)));
    }

    /**
     * Whether a name's first segment belongs to a provider (built in, {@code parley}, or configured by the operator):
     * such names are never user or global routes.
     */
    public boolean reservedPrefix(String prefix) {
        return ProviderRegistry.PARLEY.equals(prefix) || providers.builtIn(prefix) != null || config.providers().containsKey(prefix);
    }

    /** A user's or global route's steps, in order; weighted neighbours share one position (see UserRoutes). */
    private List<Spec> specs(UserRoutes.UserRoute route) {
        List<Spec> specs = new ArrayList<>();
        List<Integer> priorities = UserRoutes.priorities(route.deployments());
        for (int i = 0; i < route.deployments().size(); i++) {
            UserRoutes.Step step = route.deployments().get(i);
            int slash = step.model().indexOf('/');
            specs.add(new Spec(step.model(), step.model().substring(0, slash), step.model().substring(slash + 1), Optional.empty(),
                    step.weight() == null ? 1 : step.weight(), priorities.get(i), step.timeoutOr(config.upstream().timeout())));
        }
        return specs;
    }

    private Future<List<Target>> targets(String model, List<Spec> specs, boolean direct, UUID userId) {
        List<Future<Object>> each = new ArrayList<>();
        for (Spec s : specs) {
            each.add(target(s, userId));
        }
        return Future.join(each).transform(ar -> {
            List<Target> targets = new ArrayList<>();
            List<Missing> missing = new ArrayList<>();
            Throwable failure = null;
            for (Future<Object> f : each) {
                if (f.failed()) {
                    failure = failure == null ? f.cause() : failure;
                } else if (f.result() instanceof Target t) {
                    targets.add(t);
                } else if (f.result() instanceof Missing m) {
                    missing.add(m);
                }
            }
            if (!targets.isEmpty()) {
                return Future.succeededFuture(targets);
            }
            if (failure != null) {
                return Future.failedFuture(failure);
            }
            if (direct && !missing.isEmpty() && "unknown".equals(missing.get(0).reason())) {
                return Future.failedFuture(OpenAiException.modelNotFound(model, null));
            }
            List<String> names = missing.stream().filter(m -> !"unknown".equals(m.reason())).map(Missing::provider).distinct().toList();
            if (names.isEmpty()) {
                return Future.failedFuture(OpenAiException.modelNotFound(model, null));
            }
            return Future.failedFuture(new OpenAiException(400, "invalid_request_error", "provider_key_missing", "model",
                    "No provider key for " + String.join(", ", names) + ": add one with POST /api/v1/provider-keys "
                            + "{\"provider\":\"" + names.get(0) + "\",\"api_key\":\"…\"}, or ask the operator to configure "
                            + "parley.gateway.providers." + names.get(0) + ".api-key."));
        });
    }

    /** Lower priority first; deployments of one priority in a weighted random order (load sharing). */
    static List<Spec> ordered(List<Spec> specs) {
        Map<Integer, List<Spec>> byPriority = new java.util.TreeMap<>();
        for (Spec s : specs) {
            byPriority.computeIfAbsent(s.priority(), k -> new ArrayList<>()).add(s);
        }
        List<Spec> out = new ArrayList<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (List<Spec> group : byPriority.values()) {
            List<Spec> pool = new ArrayList<>(group);
            while (!pool.isEmpty()) {
                int total = pool.stream().mapToInt(s -> Math.max(1, s.weight())).sum();
                int pick = random.nextInt(total);
                for (int i = 0; i < pool.size(); i++) {
                    pick -= Math.max(1, pool.get(i).weight());
                    if (pick < 0) {
                        out.add(pool.remove(i));
                        break;
                    }
                }
            }
        }
        out.sort(Comparator.comparingInt(Spec::priority));
        return out;
    }

    private Future<Object> target(Spec s, UUID userId) {
        if (ProviderRegistry.PARLEY.equals(s.provider())) {
            Optional<Provider> own = providers.ownModel(s.provider() + "/" + s.model());
            return Future.succeededFuture(own.<Object>map(p -> new Target(s.name(), ProviderRegistry.PARLEY, p, s.model(),
                    p.defaultBaseUrl(), null, null, null, s.timeout(), false)).orElse(new Missing(s.provider(), "unknown")));
        }
        GatewayConfig.Provider operator = config.providers().get(s.provider());
        Provider builtIn = providers.builtIn(s.provider());
        return keys.find(userId, s.provider()).map(found -> {
            if (found.isPresent()) {
                UserKey k = found.get();
                boolean userUrl = k.baseUrl() != null && !k.baseUrl().isBlank();
                String base = userUrl ? k.baseUrl() : s.baseUrl().orElseGet(() -> baseUrl(s.provider(), operator));
                if (base == null) {
                    return new Missing(s.provider(), "no base URL");
                }
                return new Target(s.name(), OpenAiCompatibleProvider.TYPE.equals(k.provider()) ? k.name() : k.provider(),
                        providers.ofType(k.provider()), s.model(), base, k.apiKey(), userId, s.provider(), s.timeout(), userUrl);
            }
            if (builtIn == null && operator == null) {
                return new Missing(s.provider(), "unknown");
            }
            String base = s.baseUrl().orElseGet(() -> baseUrl(s.provider(), operator));
            Optional<String> operatorKey = operator == null ? Optional.empty() : operator.apiKey().filter(k -> !k.isBlank());
            if (operatorKey.isEmpty() && !keyless(s.provider(), operator)) {
                return new Missing(s.provider(), "no key");
            }
            return new Target(s.name(), s.provider(), api(s.provider(), operator), s.model(), base, operatorKey.orElse(null),
                    null, s.provider(), s.timeout(), false);
        });
    }

    /** An operator's OpenAI-compatible server may need no key (a local vLLM); a built-in provider always does. */
    boolean keyless(String provider, GatewayConfig.Provider operator) {
        return operator != null && OpenAiCompatibleProvider.TYPE.equals(operator.type()) && providers.builtIn(provider) == null;
    }

    /** The operator's base URL for the provider, else the home of the API it speaks (none for OpenAI-compatible ones). */
    private String baseUrl(String provider, GatewayConfig.Provider operator) {
        if (operator != null && operator.baseUrl().isPresent()) {
            return operator.baseUrl().get();
        }
        return api(provider, operator).defaultBaseUrl();
    }

    /**
     * The API a provider speaks: a built-in name its own; an operator's provider what its {@code type} says
     * (openai_compatible: OpenAI's).
     */
    private Provider api(String provider, GatewayConfig.Provider operator) {
        if (operator != null && !OpenAiCompatibleProvider.TYPE.equals(operator.type())) {
            return providers.ofType(operator.type());
        }
        Provider builtIn = providers.builtIn(provider);
        return builtIn != null ? builtIn : providers.ofType(OpenAiCompatibleProvider.TYPE);
    }
}
