package dev.parley.session;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * session-service's neighbours in tests: one WireMock playing the gateway (OpenAI's wire format, from test-support's
 * fixtures) and one playing memory-service. Tests tell their stubs apart by the X-Parley-User header of the calls.
 */
public class SessionStubs implements QuarkusTestResourceLifecycleManager {
    private static WireMockServer gateway;
    private static WireMockServer memory;

    @Override
    public Map<String, String> start() {
        gateway = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1").containerThreads(30));
        gateway.start();
        memory = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        memory.start();
        return Map.of("parley.gateway.url", gateway.baseUrl(), "parley.memory.url", memory.baseUrl(),
                "parley.session.memory-deletion-interval", "PT0.2S", "parley.session.memory-timeout", "PT0.5S",
                "parley.session.heartbeat-interval", "PT0.3S",
                // the launcher gives every service every service's URL: this one's must be accepted too
                "parley.session.url", "http://127.0.0.1:8082");
    }

    public static WireMockServer gateway() {
        return gateway;
    }

    public static WireMockServer memory() {
        return memory;
    }

    /** memory-service answering nothing to remember, taking extractions and deletions. */
    public static void memoryUp() {
        memory.resetAll();
        memory.stubFor(WireMock.post(WireMock.urlPathEqualTo("/internal/v1/context")).willReturn(WireMock.okJson(
                "{\"memories\":[],\"text\":\"\"}")));
        memory.stubFor(WireMock.post(WireMock.urlPathEqualTo("/internal/v1/extract")).willReturn(WireMock.aResponse().withStatus(202)));
        memory.stubFor(WireMock.delete(WireMock.urlPathMatching("/internal/v1/sessions/.*")).willReturn(WireMock.aResponse().withStatus(204)));
    }

    @Override
    public void stop() {
        if (gateway != null) {
            gateway.stop();
        }
        if (memory != null) {
            memory.stop();
        }
    }
}
