package dev.parley.gateway.provider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.quarkus.arc.All;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Every provider the gateway knows, from one list: the {@link Provider} beans (a new provider is one new class). The
 * route resolver, the model list, the metrics baseline and the README's provider list (checked by a test) read it.
 * <ul>
 *   <li>built-in providers ({@code openai}, {@code anthropic}, {@code gemini}): {@code <name>/<model>} works with
 *   nothing configured but a key;</li>
 *   <li>provider types: what a user's provider key or an operator's provider of that {@code type} speaks (the built-in
 *   names, and {@code openai_compatible}, which has no home of its own);</li>
 *   <li>Parley's own models ({@code parley/echo}, {@code parley/all-minilm-l6-v2}), by their id.</li>
 * </ul>
 */
@Singleton
public class ProviderRegistry {
    /** The name of Parley's own models' provider: {@code parley/<model>}. */
    public static final String PARLEY = "parley";

    private final Map<String, Provider> byType = new LinkedHashMap<>();
    private final Map<String, Provider> ownModels = new LinkedHashMap<>();
    private final List<Provider> builtIns;
    private final List<String> ownModelIds;
    private final Provider openAiCompatible;

    @Inject
    public ProviderRegistry(@All List<Provider> providers) {
        List<Provider> builtIn = new ArrayList<>();
        for (Provider p : providers) {
            Map<String, Provider> into = p.ownModel() != null ? ownModels : byType;
            String key = p.ownModel() != null ? p.name() + "/" + p.ownModel() : p.name();
            if (into.putIfAbsent(key, p) != null) {
                throw new IllegalStateException("two providers are named " + key);
            }
            if (p.builtIn()) {
                builtIn.add(p);
            }
        }
        if (byType.containsKey(PARLEY)) {
            throw new IllegalStateException("'parley' names Parley's own models; a provider may not take it");
        }
        this.builtIns = builtIn.stream().sorted(Comparator.comparing(Provider::name)).toList();
        this.ownModelIds = ownModels.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, Provider>, Boolean>comparing(e -> e.getValue().refuse(false) != null)
                        .thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey).toList();
        this.openAiCompatible = byType.get(OpenAiCompatibleProvider.TYPE);
        if (openAiCompatible == null) {
            throw new IllegalStateException("no provider speaks " + OpenAiCompatibleProvider.TYPE);
        }
    }

    /** The built-in provider of that name (a key is all it needs), or null. */
    public Provider builtIn(String name) {
        Provider p = byType.get(name);
        return p != null && p.builtIn() ? p : null;
    }

    /** The built-in providers, by name. */
    public List<Provider> builtIns() {
        return builtIns;
    }

    /**
     * What a provider type speaks: a user's provider key's {@code provider} or an operator provider's {@code type}
     * ({@code openai}, {@code anthropic}, {@code gemini}, {@code openai_compatible}); any other type speaks OpenAI's.
     */
    public Provider ofType(String type) {
        Provider p = type == null ? null : byType.get(type);
        return p != null ? p : openAiCompatible;
    }

    /** The provider of one of Parley's own models, by the model's id ({@code parley/echo}). */
    public Optional<Provider> ownModel(String id) {
        return Optional.ofNullable(ownModels.get(id));
    }

    /** The ids of Parley's own models: chat models first, then by id. */
    public List<String> ownModelIds() {
        return ownModelIds;
    }
}
