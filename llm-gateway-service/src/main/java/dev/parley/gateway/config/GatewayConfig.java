package dev.parley.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Every key under {@code parley.gateway}; the README lists each one with its default. */
@ConfigMapping(prefix = "parley.gateway")
public interface GatewayConfig {

    /**
     * Where the other services reach this gateway ({@code parley.gateway.url} is theirs to read; the gateway accepts
     * it so that one configuration file can serve every service).
     */
    Optional<String> url();

    /** Providers by name: {@code openai} is built in; operators add OpenAI-compatible ones (groq, a shared vLLM…). */
    Map<String, Provider> providers();

    /** Model aliases: a name clients use mapped to an ordered list of deployments (fallback chain). */
    Map<String, Route> routes();

    Egress egress();

    Retry retry();

    @WithName("circuit-breaker")
    Breaker circuitBreaker();

    Upstream upstream();

    Stream stream();

    Idempotency idempotency();

    Outbox outbox();

    Relay relay();

    @WithName("request-logging")
    RequestLogging requestLogging();

    /** How long a user's provider key resolved from auth-service is reused (at most 5 minutes). */
    /** Requests and tokens per minute, per user and per access key; none unless configured. */
    @WithName("rate-limits")
    RateLimits rateLimits();

    /** usage-service's budget check before each call. */
    Budget budget();

    @WithName("provider-key-cache-ttl")
    @WithDefault("PT5M")
    Duration providerKeyCacheTtl();

    /** Users' and global routes (the {@code /api/v1/routes} API): how long a user's routes are reused. */
    @WithName("user-routes")
    UserRoutes userRoutes();

    /** The model lists of users' OpenAI-compatible servers ({@code GET {base_url}/models}), shown by /v1/models. */
    @WithName("server-models")
    ServerModels serverModels();

    interface UserRoutes {
        /** A route written on another replica applies here within this time (on this one at once). */
        @WithName("cache-ttl")
        @WithDefault("PT30S")
        Duration cacheTtl();

        /** Most routes one user may define (and most global ones). */
        @WithName("max-per-user")
        @WithDefault("100")
        int maxPerUser();
    }

    interface ServerModels {
        @WithDefault("true")
        boolean enabled();

        /** How long a server's list is reused; it is renewed in the background during the last fifth. */
        @WithName("cache-ttl")
        @WithDefault("PT5M")
        Duration cacheTtl();

        /** Longest wait for a server's answer (connect included). */
        @WithDefault("PT3S")
        Duration timeout();

        /** Longest time /v1/models waits for servers with no list yet; later answers fill the cache. */
        @WithName("max-wait")
        @WithDefault("PT1.5S")
        Duration maxWait();

        /** Most models read from one server's list. */
        @WithName("max-models")
        @WithDefault("500")
        int maxModels();
    }

    interface Provider {
        /** {@code openai} or {@code openai_compatible}. */
        @WithDefault("openai_compatible")
        String type();

        /** SDK-style base URL, ending in {@code /v1} where the provider has one. */
        @WithName("base-url")
        Optional<String> baseUrl();

        /** The operator's key, used when the calling user has no key of their own for this provider. */
        @WithName("api-key")
        Optional<String> apiKey();

        /** Models listed by {@code GET /v1/models} for this provider (besides the bundled catalogue). */
        Optional<List<String>> models();
    }

    interface Route {
        List<Deployment> deployments();
    }

    interface Deployment {
        /** Name shown in {@code x-parley-deployment}; defaults to {@code provider/model}. */
        Optional<String> name();

        /** A provider name: {@code openai}, a configured provider, or a user's OpenAI-compatible key name. */
        String provider();

        /** The model name the provider knows. */
        String model();

        /** Overrides the provider's base URL for this deployment. */
        @WithName("base-url")
        Optional<String> baseUrl();

        /** Deployments of the same priority share the traffic by weight; lower priorities are fallbacks. */
        @WithDefault("1")
        int weight();

        /** Defaults to the deployment's position in the list. */
        Optional<Integer> priority();

        /** Longest silence from the provider before the attempt fails (defaults to {@code upstream.timeout}). */
        Optional<Duration> timeout();
    }

    /**
     * The gateway's own egress rule ({@code require-https}). Where destinations may lead is the platform's
     * {@code parley.egress.*}; the three former keys below are still accepted (their values reach
     * {@code parley.egress.*} through the platform defaults) and read by nothing here.
     */
    interface Egress {
        /** Former name of {@code parley.egress.allow-loopback}. */
        @WithName("allow-loopback")
        Optional<Boolean> allowLoopback();

        /** Former name of {@code parley.egress.allow-private}. */
        @WithName("allow-private")
        Optional<Boolean> allowPrivate();

        /** Former name of {@code parley.egress.denied-hosts}. */
        @WithName("denied-hosts")
        Optional<List<String>> deniedHosts();

        /** Whether only https base URLs are allowed for users' keys (http stays allowed for operator providers). */
        @WithName("require-https")
        @WithDefault("false")
        boolean requireHttps();
    }

    interface Retry {
        /** Attempts per deployment (first try included) before falling back to the next one. */
        @WithName("max-attempts")
        @WithDefault("3")
        int maxAttempts();

        @WithName("initial-backoff")
        @WithDefault("PT0.2S")
        Duration initialBackoff();

        @WithName("max-backoff")
        @WithDefault("PT5S")
        Duration maxBackoff();

        /** A Retry-After longer than this skips to the next deployment instead of waiting. */
        @WithName("max-retry-after")
        @WithDefault("PT10S")
        Duration maxRetryAfter();
    }

    interface Breaker {
        /** Consecutive failures that open a deployment's circuit. */
        @WithName("failure-threshold")
        @WithDefault("5")
        int failureThreshold();

        /** How long an open circuit refuses calls before one probe is let through. */
        @WithName("open-duration")
        @WithDefault("PT30S")
        Duration openDuration();
    }

    interface Upstream {
        @WithName("connect-timeout")
        @WithDefault("PT5S")
        Duration connectTimeout();

        /** Default longest silence from a provider (per deployment: {@code timeout}). */
        @WithDefault("PT120S")
        Duration timeout();

        /** No call, retries and fallbacks included, outlives this. */
        @WithName("request-deadline")
        @WithDefault("PT10M")
        Duration requestDeadline();

        @WithName("max-connections-per-host")
        @WithDefault("500")
        int maxConnectionsPerHost();

        /** Largest non-streamed answer accepted from a provider. */
        @WithName("max-response-bytes")
        @WithDefault("33554432")
        int maxResponseBytes();
    }

    interface Stream {
        /** An SSE comment is sent after this much silence so proxies and clients keep the stream open. */
        @WithName("heartbeat-interval")
        @WithDefault("PT15S")
        Duration heartbeatInterval();
    }

    interface Idempotency {
        @WithDefault("PT24H")
        Duration ttl();
    }

    interface Outbox {
        /** Usage events waiting in memory for the batch writer; beyond this they are counted as dropped. */
        @WithName("queue-capacity")
        @WithDefault("200000")
        int queueCapacity();

        @WithName("batch-size")
        @WithDefault("1000")
        int batchSize();
    }

    interface Relay {
        @WithDefault("true")
        boolean enabled();

        @WithName("batch-size")
        @WithDefault("1000")
        int batchSize();

        /** Pause between polls when the outbox is empty. */
        @WithName("poll-interval")
        @WithDefault("PT0.5S")
        Duration pollInterval();

        /** Longest pause between delivery attempts while usage-service is unavailable. */
        @WithName("max-backoff")
        @WithDefault("PT30S")
        Duration maxBackoff();

        @WithName("request-timeout")
        @WithDefault("PT10S")
        Duration requestTimeout();
    }

    interface RequestLogging {
        /** Off by default: prompts and completions are not stored. */
        @WithDefault("false")
        boolean enabled();

        @WithDefault("P7D")
        Duration retention();
    }

    interface RateLimits {
        /** The limit of every user without one of their own. */
        @WithName("default")
        Limit defaultLimit();

        /** Per-user limits by user id (the admin API's overrides win over these). */
        Map<String, Limit> users();

        /** Per-access-key limits by key id, applied on top of the user's. */
        @WithName("access-keys")
        Map<String, Limit> accessKeys();

        /** redis://host:port (rediss:// for TLS): counters shared by every replica. Unset: in-process counters. */
        @WithName("redis-url")
        Optional<String> redisUrl();

        /** Longest wait for Redis on a call; past it the replica counts on its own (see the README). */
        @WithName("redis-timeout")
        @WithDefault("PT0.25S")
        Duration redisTimeout();

        @WithName("redis-pool-size")
        @WithDefault("16")
        int redisPoolSize();

        /** How soon an admin's change made on another replica applies here. */
        @WithName("settings-refresh")
        @WithDefault("PT5S")
        Duration settingsRefresh();
    }

    interface Limit {
        @WithName("requests-per-minute")
        java.util.OptionalLong requestsPerMinute();

        @WithName("tokens-per-minute")
        java.util.OptionalLong tokensPerMinute();
    }

    interface Budget {
        @WithDefault("true")
        boolean enabled();

        /** How long one answer of usage-service is reused for a user (and access key). */
        @WithName("cache-ttl")
        @WithDefault("PT5S")
        Duration cacheTtl();

        /** allow (default) or deny calls while usage-service cannot answer; each miss is counted. */
        @WithName("on-unavailable")
        @WithDefault("allow")
        String onUnavailable();

        @WithDefault("PT1S")
        Duration timeout();
    }
}
