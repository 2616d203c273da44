package dev.parley.testsupport;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A WireMock server standing in for auth-service at its HTTP boundary, for every service but auth-service itself
 * (service tokens, user status, access-key verification). Points {@code parley.auth.url} at it and gives the service
 * test credentials. Unstubbed calls answer 404, which the platform reads as "unknown key" for access keys and as
 * "auth-service unavailable" (fail-open) for user status; tests that care stub the real answers.
 */
public class AuthServiceStub implements QuarkusTestResourceLifecycleManager {
    public static final String CLIENT_SECRET = "stub-client-secret";
    private static WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        resetToDefaults();
        return Map.of("parley.auth.url", server.baseUrl(),
                "parley.service.client-secret", CLIENT_SECRET);
    }

    public static WireMockServer server() {
        return server;
    }

    /**
     * Forget every stub and recorded request, then answer the service-token exchange as auth-service does, so the
     * service under test can authenticate its own calls. Everything else answers 404 until a test stubs it.
     */
    public static void resetToDefaults() {
        if (server == null) {
            return;
        }
        server.resetAll();
        server.stubFor(WireMock.post(WireMock.urlEqualTo("/internal/v1/service-tokens"))
                .willReturn(WireMock.aResponse().withHeader("Content-Type", "application/json")
                        .withBody("{\"access_token\":\"" + Tokens.service("stubbed-client")
                                + "\",\"token_type\":\"Bearer\",\"expires_in\":300}")));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
