package dev.parley.session.ai;

import java.time.Duration;

import dev.parley.platform.ai.GatewayChatTimeout;
import dev.parley.session.config.SessionConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code parley.session.title-timeout} for the gateway AI services. */
@ApplicationScoped
public class AiTimeout implements GatewayChatTimeout {
    private final SessionConfig config;

    public AiTimeout(SessionConfig config) {
        this.config = config;
    }

    @Override
    public Duration timeout() {
        return config.titleTimeout();
    }
}
