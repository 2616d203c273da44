package dev.parley.gateway.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

/** What the gateway knows about models: context window, output limit, capabilities (bundled {@code models.json}). */
@ApplicationScoped
public class ModelCatalog {
    public static final List<String> CAPABILITIES = List.of("vision", "tools", "json_schema", "reasoning", "embeddings");

    public record ModelInfo(String id, String ownedBy, Integer contextWindow, Integer maxOutputTokens, List<String> capabilities) {
        public boolean can(String capability) {
            return capabilities.contains(capability);
        }
    }

    private final Map<String, ModelInfo> models = new LinkedHashMap<>();

    public ModelCatalog(ObjectMapper mapper) {
        try (InputStream in = ModelCatalog.class.getResourceAsStream("/models.json")) {
            if (in == null) {
                throw new IllegalStateException("models.json is missing from the gateway's resources");
            }
            for (JsonNode m : mapper.readTree(in).path("models")) {
                List<String> caps = new java.util.ArrayList<>();
                m.path("capabilities").forEach(c -> caps.add(c.asText()));
                if (!CAPABILITIES.containsAll(caps)) {
                    throw new IllegalStateException("models.json: unknown capability in " + m.path("id").asText());
                }
                ModelInfo info = new ModelInfo(m.path("id").asText(), m.path("owned_by").asText(),
                        m.path("context_window").asInt(), m.path("max_output_tokens").asInt(), List.copyOf(caps));
                models.put(info.id(), info);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<ModelInfo> find(String id) {
        return Optional.ofNullable(models.get(id));
    }

    /**
     * Whether {@code provider/model} can reason: false only for a model the catalogue knows without the
     * {@code reasoning} capability (an OpenAI-compatible server's models and models newer than the catalogue may).
     */
    public boolean reasons(String provider, String model) {
        ModelInfo info = models.get(provider + "/" + model);
        return info == null || info.can("reasoning");
    }

    /** Known models of one provider prefix ({@code openai} → {@code openai/gpt-4o}, …). */
    public List<ModelInfo> ofProvider(String provider) {
        String prefix = provider + "/";
        return models.values().stream().filter(m -> m.id().startsWith(prefix)).toList();
    }
}
