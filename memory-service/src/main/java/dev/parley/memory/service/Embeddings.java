package dev.parley.memory.service;

import java.util.List;
import java.util.UUID;

import dev.parley.memory.client.GatewayClient;
import dev.parley.memory.config.MemoryConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** The vectors of memories and queries in the configured embedding model: in-process, or through the gateway. */
@ApplicationScoped
public class Embeddings {
    private final MemoryConfig config;
    private final LocalEmbeddings local;
    private final GatewayClient gateway;

    public Embeddings(MemoryConfig config, LocalEmbeddings local, GatewayClient gateway) {
        this.config = config;
        this.local = local;
        this.gateway = gateway;
    }

    public String model() {
        return config.embeddingModel();
    }

    /**
     * Unit vectors of the texts for {@code userId}; null when embeddings are unavailable right now (the local model
     * busy or failed, the gateway refusing, unreachable, slow, or its circuit open).
     */
    public List<float[]> embed(UUID userId, List<String> texts) {
        try {
            if (LocalEmbeddings.MODEL.equals(model())) {
                return local.embed(texts).vectors();
            }
            return gateway.embed(userId, model(), texts).stream().map(Vectors::normalized).toList();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** One text's unit vector, or null when embeddings are unavailable. */
    public float[] embed(UUID userId, String text) {
        List<float[]> v = embed(userId, List.of(text));
        return v == null ? null : v.get(0);
    }
}
