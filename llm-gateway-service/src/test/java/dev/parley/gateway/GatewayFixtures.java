package dev.parley.gateway;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.testsupport.AuthServiceStub;

/** Callers and provider keys for gateway tests, stubbed at auth-service's internal API. */
public final class GatewayFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private GatewayFixtures() { }

    /** A fresh user with an access key (optionally limited to some models); answers the key. */
    public static String accessKey(UUID userId, String... allowedModels) {
        String key = "pk-test-" + UUID.randomUUID().toString().replace("-", "");
        StringBuilder allowed = new StringBuilder("[");
        for (int i = 0; i < allowedModels.length; i++) {
            allowed.append(i > 0 ? "," : "").append('"').append(allowedModels[i]).append('"');
        }
        allowed.append(']');
        AuthServiceStub.server().stubFor(post(urlEqualTo("/internal/v1/access-keys/verify"))
                .withRequestBody(equalToJson("{\"key\":\"" + key + "\"}"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"user_id\":\"" + userId + "\",\"username\":\"u" + userId.toString().substring(0, 8)
                                + "\",\"roles\":[\"user\"],\"key_id\":\"" + UUID.randomUUID() + "\",\"allowed_models\":"
                                + allowed + "}")));
        AuthServiceStub.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                        urlEqualTo("/internal/v1/users/" + userId + "/status"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"enabled\":true}")));
        return key;
    }

    /** The user's provider key {@code name}, answered by auth-service's resolve endpoint. */
    public static void providerKey(UUID userId, String name, String provider, String baseUrl, String apiKey) {
        AuthServiceStub.server().stubFor(post(urlEqualTo("/internal/v1/provider-keys/resolve"))
                .withRequestBody(matchingJsonPath("$.user_id", equalTo(userId.toString())))
                .withRequestBody(matchingJsonPath("$.provider_key_name", equalTo(name)))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"id\":\"" + UUID.randomUUID() + "\",\"provider\":\"" + provider + "\",\"name\":\"" + name
                                + "\",\"base_url\":" + (baseUrl == null ? "null" : "\"" + baseUrl + "\"")
                                + ",\"api_key\":\"" + apiKey + "\"}")));
    }

    /** Requests the provider stub received on one base path. */
    public static List<LoggedRequest> received(String basePath, String endpoint) {
        return GatewayStubs.providers().findAll(com.github.tomakehurst.wiremock.client.WireMock
                .postRequestedFor(urlPathEqualTo(basePath + endpoint)));
    }

    /** Every usage event usage-service's stub received, in order. */
    public static List<JsonNode> usageEvents() {
        List<JsonNode> out = new ArrayList<>();
        for (LoggedRequest r : GatewayStubs.usage().findAll(com.github.tomakehurst.wiremock.client.WireMock
                .postRequestedFor(urlPathEqualTo("/internal/v1/usage-events")))) {
            try {
                JSON.readTree(r.getBodyAsString()).path("events").forEach(out::add);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** The usage events of one user, waiting up to 10 s for at least {@code count} of them. */
    public static List<JsonNode> usageEventsOf(UUID userId, int count) {
        long until = System.currentTimeMillis() + 10_000;
        List<JsonNode> mine;
        do {
            mine = usageEvents().stream().filter(e -> userId.toString().equals(e.path("user_id").asText())).toList();
            if (mine.size() >= count) {
                return mine;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        } while (System.currentTimeMillis() < until);
        return mine;
    }

    public static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
