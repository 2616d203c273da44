package dev.parley.gateway;

import java.util.HashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The gateway's neighbours in tests: one WireMock server playing the providers (each test gives its user provider
 * keys whose base URL is a path of its own, so tests never share stubs or circuits), one playing usage-service, and
 * memory-service's URL pointing at a closed port (down).
 */
public class GatewayStubs implements QuarkusTestResourceLifecycleManager {
    private static WireMockServer providers;
    private static WireMockServer usage;

    @Override
    public Map<String, String> start() {
        providers = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(40));
        providers.start();
        usage = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        usage.start();
        acceptUsage();
        Map<String, String> c = new HashMap<>();
        c.put("parley.usage.url", usage.baseUrl());
        c.put("parley.memory.url", providers.baseUrl() + "/memory-service"); // 404 until a test stubs it: "not built yet"
        // An operator provider with a platform key, and OpenAI itself at the stub (no platform key: users bring theirs).
        c.put("parley.gateway.providers.mock.type", "openai_compatible");
        c.put("parley.gateway.providers.mock.base-url", providers.baseUrl() + "/operator/v1");
        c.put("parley.gateway.providers.mock.api-key", "sk-operator-mock-key");
        c.put("parley.gateway.providers.mock.models", "mock-model");
        c.put("parley.gateway.providers.openai.type", "openai");
        c.put("parley.gateway.providers.openai.base-url", providers.baseUrl() + "/openai/v1");
        // A fallback chain over two of the calling user's own keys ("primary", "secondary").
        c.put("parley.gateway.routes.\"t/chain\".deployments[0].provider", "primary");
        c.put("parley.gateway.routes.\"t/chain\".deployments[0].model", "model-a");
        c.put("parley.gateway.routes.\"t/chain\".deployments[0].timeout", "PT1S");
        c.put("parley.gateway.routes.\"t/chain\".deployments[1].provider", "secondary");
        c.put("parley.gateway.routes.\"t/chain\".deployments[1].model", "model-b");
        c.put("parley.gateway.routes.\"t/chain\".deployments[1].name", "backup-deployment");
        // The former name of parley.egress.denied-hosts, still honoured (ResilienceTest checks it).
        c.put("parley.gateway.egress.denied-hosts", "denied.example");
        c.put("parley.gateway.retry.initial-backoff", "PT0.02S");
        c.put("parley.gateway.retry.max-backoff", "PT0.1S");
        c.put("parley.gateway.retry.max-retry-after", "PT2S");
        c.put("parley.gateway.circuit-breaker.failure-threshold", "3");
        c.put("parley.gateway.circuit-breaker.open-duration", "PT2S");
        c.put("parley.gateway.stream.heartbeat-interval", "PT1S");
        c.put("parley.gateway.relay.poll-interval", "PT0.1S");
        c.put("parley.gateway.relay.max-backoff", "PT0.3S");
        // Servers' model lists expire quickly, so a test sees a server go down after a good answer.
        c.put("parley.gateway.server-models.cache-ttl", "PT1S");
        return c;
    }

    public static WireMockServer providers() {
        return providers;
    }

    public static WireMockServer usage() {
        return usage;
    }

    /** usage-service taking every batch (202) and allowing every call within budget, as its contract says. */
    public static void acceptUsage() {
        usage.resetAll();
        usage.stubFor(WireMock.post(WireMock.urlPathEqualTo("/internal/v1/usage-events"))
                .willReturn(WireMock.aResponse().withStatus(202)));
        usage.stubFor(WireMock.get(WireMock.urlPathEqualTo("/internal/v1/budget-check"))
                .willReturn(WireMock.aResponse().withHeader("Content-Type", "application/json")
                        .withBody("{\"allowed\":true,\"reason\":null}")));
    }

    @Override
    public void stop() {
        if (providers != null) {
            providers.stop();
        }
        if (usage != null) {
            usage.stop();
        }
    }
}
