package dev.parley.platform.ai;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/**
 * {@code parley.ai.*}: how {@link GatewayChatModels} calls the gateway. There is no default on purpose: each service
 * points the key at its own user-facing one in its application.properties (session-service:
 * {@code parley.ai.timeout=${parley.session.title-timeout:PT20S}}, memory-service:
 * {@code parley.ai.timeout=${parley.memory.llm-timeout:PT60S}}), so a service that forgets fails at start.
 */
@ConfigMapping(prefix = "parley.ai")
public interface GatewayAiConfig {
    /** The longest wait for one AI service call (the whole answer: the call is not streamed). */
    @WithName("timeout")
    Duration timeout();
}
