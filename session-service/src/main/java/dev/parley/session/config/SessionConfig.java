package dev.parley.session.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** session-service settings ({@code parley.session.*}); the neighbours' URLs are the shared {@code parley.*.url} keys. */
@ConfigMapping(prefix = "parley.session")
public interface SessionConfig {
    /** Where the other services reach session-service (the launcher gives every service every URL). */
    java.util.Optional<String> url();

    /** The model of a session that names none. */
    @WithName("default-model")
    @WithDefault("parley/echo")
    String defaultModel();

    /** Output tokens kept free in the context window when the turn's parameters set no max_tokens. */
    @WithName("reserved-output-tokens")
    @WithDefault("1024")
    int reservedOutputTokens();

    /** The window of a model the gateway does not describe. */
    @WithName("default-context-window")
    @WithDefault("8192")
    int defaultContextWindow();

    /** Tokens of memories asked from memory-service per turn. */
    @WithName("memory-token-budget")
    @WithDefault("1000")
    int memoryTokenBudget();

    /** Longest wait for memory-service's context: past it the turn goes on without memories. */
    @WithName("memory-timeout")
    @WithDefault("PT1.5S")
    Duration memoryTimeout();

    /** Longest wait for the gateway's answer (a whole non-streamed reply, or silence within a stream). */
    @WithName("gateway-timeout")
    @WithDefault("PT300S")
    Duration gatewayTimeout();

    /** SSE comment after this much silence on a streamed turn. */
    @WithName("heartbeat-interval")
    @WithDefault("PT15S")
    Duration heartbeatInterval();

    /** How often owed AUTO extractions are sent to memory-service (each is also sent at once when the turn ends). */
    @WithName("extract-interval")
    @WithDefault("PT2S")
    Duration extractInterval();

    /** How long an exchange is retried before it is dropped (with a warning and a metric). */
    @WithName("extract-max-age")
    @WithDefault("PT24H")
    Duration extractMaxAge();

    /** Largest image accepted with a message. */
    @WithName("max-image-bytes")
    @WithDefault("10485760")
    int maxImageBytes();

    /** Most images accepted with one message. */
    @WithName("max-images")
    @WithDefault("10")
    int maxImages();

    /** How often owed memory deletions are sent, and the first retry delay (doubling up to 10 minutes). */
    @WithName("memory-deletion-interval")
    @WithDefault("PT5S")
    Duration memoryDeletionInterval();

    /**
     * The model that writes auto-titles; unset: the session's own model, unless it is one of Parley's built-ins
     * (parley/echo would only repeat the message), in which case the first words of the message are the title.
     */
    @WithName("title-model")
    java.util.Optional<String> titleModel();

    /** Longest wait for an auto-title. */
    @WithName("title-timeout")
    @WithDefault("PT20S")
    Duration titleTimeout();

    /** How long a cancel waits for the replica running the generation to answer (when it is not this one). */
    @WithName("cancel-wait")
    @WithDefault("PT0.5S")
    Duration cancelWait();
}
