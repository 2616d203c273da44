package dev.parley.memory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Memories embedded by a model the gateway serves (configuration), with the gateway down: writes still succeed
 * without a vector, retrieval degrades to full-text + importance, and the background job embeds the memories once
 * the model answers. With no extraction model configured, extraction is skipped and counted, never retried.
 * <p>
 * Keep this the module's only test profile (SessionModelExtractionTest shares it): Quarkus runs profiled classes last, after the application restarts in
 * a new class loader, and the local model's tokenizer binds its native library to the first class loader that
 * loaded it (so the local model cannot be used again after the restart; this class does not use it).
 */
@QuarkusTest
@TestProfile(GatewayEmbeddingsTest.Profile.class)
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(MemoryStubs.class)
class GatewayEmbeddingsTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.memory.embedding-model", "openai/text-embedding-3-small",
                    "parley.memory.extraction-model", "");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private UUID user;
    private String token;

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
    }

    private void gatewayDown() {
        MemoryStubs.gateway().stubFor(post(urlPathEqualTo("/v1/embeddings")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withStatus(503).withHeader("Content-Type", "application/json")
                        .withBody(OpenAiWire.fixture("error-500.json"))));
    }

    /** The gateway answers one vector per input in OpenAI's shape (the fixture's first vector, for every input). */
    private void gatewayUp() throws Exception {
        ObjectNode fixture = (ObjectNode) JSON.readTree(OpenAiWire.fixture("embeddings.json"));
        ObjectNode one = fixture.deepCopy();
        one.withArray("data").remove(1);
        MemoryStubs.gateway().stubFor(post(urlPathEqualTo("/v1/embeddings")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(okJson(JSON.writeValueAsString(one))));
    }

    @Test
    void withoutEmbeddingsWritesSucceedRetrievalDegradesAndTheBackgroundJobCatchesUp() throws Exception {
        gatewayDown();
        String peanuts = given().auth().oauth2(token).contentType("application/json")
                .body("{\"content\":\"Allergic to peanuts\",\"importance\":0.4}").post("/api/v1/memories")
                .then().statusCode(201).extract().path("id");
        JsonPath m = given().auth().oauth2(token).get("/api/v1/memories/" + peanuts).jsonPath();
        assertFalse(m.getBoolean("embedded"));
        given().auth().oauth2(token).contentType("application/json").body("{\"content\":\"Lives in Lyon\",\"importance\":0.9}")
                .post("/api/v1/memories").then().statusCode(201);
        JsonPath found = given().auth().oauth2(token).contentType("application/json").body("{\"query\":\"peanuts\"}")
                .post("/api/v1/memories/search").then().statusCode(200).extract().jsonPath();
        assertTrue(found.getBoolean("degraded"));
        assertEquals("Allergic to peanuts", found.getString("data[0].memory.content"), "the full-text match first: " + found.prettify());
        assertEquals(0.0, found.getDouble("data[0].semantic"));
        // the context takes the full-text match only
        JsonPath ctx = given().auth().oauth2(Tokens.service("session-service")).contentType("application/json")
                .body(Map.of("user_id", user, "query", "any peanuts in this?", "token_budget", 200)).post("/internal/v1/context")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("Allergic to peanuts"), ctx.getList("memories.content"));
        assertTrue(ctx.getBoolean("degraded"));

        gatewayUp();
        long until = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < until
                && !given().auth().oauth2(token).get("/api/v1/memories/" + peanuts).jsonPath().getBoolean("embedded")) {
            Thread.sleep(200);
        }
        assertTrue(given().auth().oauth2(token).get("/api/v1/memories/" + peanuts).jsonPath().getBoolean("embedded"));
        JsonPath again = given().auth().oauth2(token).contentType("application/json").body("{\"query\":\"peanuts\"}")
                .post("/api/v1/memories/search").then().statusCode(200).extract().jsonPath();
        assertFalse(again.getBoolean("degraded"));
        LoggedRequest call = MemoryStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/embeddings"))
                .withHeader("X-Parley-User", equalTo(user.toString()))).get(0);
        assertEquals("openai/text-embedding-3-small", JSON.readTree(call.getBodyAsString()).path("model").asText());
        com.fasterxml.jackson.databind.JsonNode claims = JSON.readTree(java.util.Base64.getUrlDecoder()
                .decode(call.getHeader("Authorization").substring("Bearer ".length()).split("\\.")[1]));
        assertEquals("service", claims.path("groups").path(0).asText(), "the service token, not a user's");
    }

    @Test
    void withNoExtractionModelAnExchangeIsSkippedAndCounted() {
        given().auth().oauth2(Tokens.service("session-service")).contentType("application/json")
                .body(Map.of("user_id", user, "messages", List.of(Map.of("role", "user", "content", "I like tea"))))
                .post("/internal/v1/extract").then().statusCode(202);
        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.contains("parley_memory_extractions_total{outcome=\"skipped\",reason=\"no_model\"}"), metrics);
        assertTrue(MemoryStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", equalTo(user.toString()))).isEmpty());
    }
}
