package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.devstack.Platform;

/**
 * One platform for the whole e2e run (started by the first test class that asks, stopped when the JVM exits): the
 * launcher behind {@code ./parley up} on the usual ports, with a fresh data folder in target/e2e-home, plus the mock
 * provider. Starting fails with the launcher's message when another platform holds the ports.
 */
final class E2e {
    /** Planted in the admin's password: must never appear in a log, a response or the metrics. */
    static final String ADMIN_PASSWORD = "e2e-admin-Pw-" + UUID.randomUUID();
    static final String ADMIN = "e2e-root";
    /** A configured route over two operator providers on the mock (FaultsIT breaks the first). */
    static final String ROUTE = "e2e-chat";
    static final int ROUTE_DEADLINE_SECONDS = 20;
    private static E2e instance;
    /** Secrets the run planted (passwords, provider keys) and was given (tokens, access keys): never in a log. */
    static final java.util.Set<String> PASSWORDS_AND_PROVIDER_KEYS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final java.util.Set<String> TOKENS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    final Platform platform;
    final MockProvider provider;
    final Api api;

    private E2e(Platform platform, MockProvider provider) {
        this.platform = platform;
        this.provider = provider;
        this.api = new Api(platform.ingressUrl());
    }

    static synchronized E2e get() {
        if (instance == null) {
            MockProvider provider = new MockProvider();
            try {
                Path home = Path.of("target", "e2e-home").toAbsolutePath();
                deleteTree(home);
                Map<String, String> gateway = new java.util.LinkedHashMap<>();
                gateway.put("parley.gateway.providers.mock-a.base-url", provider.url("/a/v1"));
                gateway.put("parley.gateway.providers.mock-a.api-key", "sk-e2e-operator-a-not-a-real-key");
                gateway.put("parley.gateway.providers.mock-b.base-url", provider.url("/b/v1"));
                gateway.put("parley.gateway.providers.mock-b.api-key", "sk-e2e-operator-b-not-a-real-key");
                String route = "parley.gateway.routes.\"" + ROUTE + "\".deployments";
                gateway.put(route + "[0].provider", "mock-a");
                gateway.put(route + "[0].model", "m1");
                gateway.put(route + "[0].timeout", "PT2S");
                gateway.put(route + "[1].provider", "mock-b");
                gateway.put(route + "[1].model", "m1");
                gateway.put("parley.gateway.retry.max-attempts", "2");
                gateway.put("parley.gateway.retry.max-retry-after", "PT1S");
                gateway.put("parley.gateway.circuit-breaker.failure-threshold", "8");
                gateway.put("parley.gateway.circuit-breaker.open-duration", "PT60S");
                gateway.put("parley.gateway.upstream.request-deadline", "PT" + ROUTE_DEADLINE_SECONDS + "S");
                // The suite's thousands of calls come from one address and a few users: the per-user and per-address
                // limits are raised here (LauncherSignalsIT checks the shipped defaults on a ./parley up platform).
                Map<String, String> limits = Map.of("parley.rate-limit.user-requests-per-minute", "1000000",
                        "parley.rate-limit.user-generations-per-minute", "1000000",
                        "parley.rate-limit.anonymous-requests-per-minute", "1000000");
                gateway.putAll(limits);
                Map<String, String> memory = new java.util.LinkedHashMap<>(limits);
                memory.put("parley.memory.extraction-model", "openai/gpt-4o-mini");
                Map<String, String> auth = new java.util.LinkedHashMap<>(limits);
                auth.put("parley.admin.username", ADMIN);
                auth.put("parley.admin.password", ADMIN_PASSWORD);
                Platform platform = Platform.start(Path.of(".."), home, Map.of(
                        "memory-service", memory,
                        "auth-service", auth,
                        "session-service", limits,
                        "usage-service", limits,
                        "llm-gateway-service", gateway));
                instance = new E2e(platform, provider);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    platform.close();
                    provider.stop();
                }, "e2e-stop"));
            } catch (IOException e) {
                provider.stop();
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                provider.stop();
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (RuntimeException e) {
                provider.stop();
                throw e;
            }
        }
        return instance;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A newly registered user with their token pair. */
    record User(String id, String username, String password, String accessToken, String refreshToken) {
    }

    User register(String prefix) {
        String username = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "pw-" + UUID.randomUUID();
        PASSWORDS_AND_PROVIDER_KEYS.add(password);
        Api.Response r = api.post("/api/v1/auth/register", null, Map.of("username", username, "password", password));
        assertEquals(201, r.status(), r.text());
        TOKENS.add(r.path("access_token").asText());
        TOKENS.add(r.path("refresh_token").asText());
        return new User(r.path("user").path("id").asText(), username, password, r.path("access_token").asText(),
                r.path("refresh_token").asText());
    }

    String adminToken() {
        Api.Response r = api.post("/api/v1/auth/login", null, Map.of("username", ADMIN, "password", ADMIN_PASSWORD));
        assertEquals(200, r.status(), r.text());
        TOKENS.add(r.path("access_token").asText());
        return r.path("access_token").asText();
    }

    /** Stores a provider key pointing at the mock provider; returns the key's id. */
    String providerKey(User user, String provider, String basePath, String apiKey) {
        PASSWORDS_AND_PROVIDER_KEYS.add(apiKey);
        Api.Response r = api.post("/api/v1/provider-keys", user.accessToken(),
                Map.of("provider", provider, "api_key", apiKey, "base_url", this.provider.url(basePath)));
        assertEquals(201, r.status(), r.text());
        return r.path("id").asText();
    }

    String accessKey(User user) {
        Api.Response r = api.post("/api/v1/access-keys", user.accessToken(), Map.of("name", "e2e"));
        assertEquals(201, r.status(), r.text());
        TOKENS.add(r.path("key").asText());
        return r.path("key").asText();
    }

    static JsonNode only(JsonNode array) {
        assertEquals(1, array.size(), array.toString());
        return array.get(0);
    }
}
