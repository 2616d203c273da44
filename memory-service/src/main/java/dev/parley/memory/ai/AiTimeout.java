package dev.parley.memory.ai;

import java.time.Duration;

import dev.parley.platform.ai.GatewayChatTimeout;
import dev.parley.memory.config.MemoryConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code parley.memory.llm-timeout} for the gateway AI services. */
@ApplicationScoped
public class AiTimeout implements GatewayChatTimeout {
    private final MemoryConfig config;

    public AiTimeout(MemoryConfig config) {
        this.config = config;
    }

    @Override
    public Duration timeout() {
        return config.llmTimeout();
    }
}
