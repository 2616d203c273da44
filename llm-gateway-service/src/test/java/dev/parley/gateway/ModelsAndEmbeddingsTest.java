package dev.parley.gateway;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.parley.gateway.ChatCompletionsTest.assertOpenAiError;
import static dev.parley.gateway.GatewayFixtures.accessKey;
import static dev.parley.gateway.GatewayFixtures.json;
import static dev.parley.gateway.GatewayFixtures.providerKey;
import static dev.parley.gateway.GatewayFixtures.usageEventsOf;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.OpenAiSpec;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** /v1/models and /v1/embeddings, including the local embedding model served by memory-service. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class ModelsAndEmbeddingsTest {
    private UUID user;
    private String key;

    @BeforeEach
    void newUser() {
        AuthServiceStub.resetToDefaults();
        GatewayStubs.providers().removeStubsByMetadata(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.memory"));
        user = UUID.randomUUID();
        key = accessKey(user);
    }

    private static List<String> ids(Response r) {
        List<String> ids = new ArrayList<>();
        json(r.asString()).path("data").forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    @Test
    void modelsListsWhatTheCallerCanUseWithCapabilities() {
        Response r = given().auth().oauth2(key).get("/v1/models");
        r.then().statusCode(200);
        OpenAiSpec.get().assertValid("ListModelsResponse", r.asString());
        List<String> ids = ids(r);
        assertTrue(ids.containsAll(List.of("parley/echo", "parley/all-minilm-l6-v2", "t/chain", "mock/mock-model")), ids.toString());
        assertFalse(ids.contains("openai/gpt-4o"), "no OpenAI key for this user and none from the operator");
        for (JsonNode m : json(r.asString()).path("data")) {
            assertTrue(m.has("context_window") && m.has("max_output_tokens"), m.toString());
            for (String cap : List.of("vision", "tools", "json_schema", "reasoning", "embeddings")) {
                assertTrue(m.path("capabilities").path(cap).isBoolean(), m.toString());
            }
        }
        JsonNode minilm = json(r.asString()).path("data").get(ids.indexOf("parley/all-minilm-l6-v2"));
        assertTrue(minilm.path("capabilities").path("embeddings").asBoolean());

        UUID other = UUID.randomUUID(); // a user with an OpenAI key of their own (a fresh one: answers are cached 30 s)
        String otherKey = accessKey(other);
        providerKey(other, "openai", "openai", null, "sk-users-openai");
        Response withKey = given().auth().oauth2(otherKey).get("/v1/models");
        JsonNode gpt4o = json(withKey.asString()).path("data").get(ids(withKey).indexOf("openai/gpt-4o"));
        assertEquals(128000, gpt4o.path("context_window").asInt());
        assertTrue(gpt4o.path("capabilities").path("vision").asBoolean());
    }

    @Test
    void anAccessKeySeesOnlyItsAllowedModels() {
        String limited = accessKey(user, "parley/*");
        List<String> ids = ids(given().auth().oauth2(limited).get("/v1/models"));
        assertEquals(List.of("parley/echo", "parley/all-minilm-l6-v2"), ids);
    }

    @Test
    void oneModelByIdAndUnknownOnes() {
        Response r = given().auth().oauth2(key).get("/v1/models/parley/echo");
        r.then().statusCode(200);
        OpenAiSpec.get().assertValid("Model", r.asString());
        assertEquals("parley/echo", json(r.asString()).path("id").asText());
        assertOpenAiError(given().auth().oauth2(key).get("/v1/models/nobody/nothing"), 404, "model_not_found", "model");
        assertOpenAiError(given().get("/v1/models"), 401, "invalid_api_key", null);
    }

    @Test
    void embeddingsFromAnOpenAiCompatibleProvider() {
        String base = "/emb-" + user + "/v1";
        providerKey(user, "mine", "openai_compatible", GatewayStubs.providers().baseUrl() + base, "sk-user");
        OpenAiWire.embeddings(GatewayStubs.providers(), base, "embeddings.json");
        Response r = given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"mine/text-embedding-3-small\",\"input\":[\"hello\",\"world\"],\"dimensions\":8}")
                .post("/v1/embeddings");
        r.then().statusCode(200).header("x-parley-deployment", "mine/text-embedding-3-small");
        OpenAiSpec.get().assertValid("CreateEmbeddingResponse", r.asString());
        assertEquals(json(OpenAiWire.fixture("embeddings.json")), json(r.asString()));
        JsonNode sent = json(GatewayFixtures.received(base, "/embeddings").get(0).getBodyAsString());
        assertEquals("text-embedding-3-small", sent.path("model").asText());
        assertEquals(8, sent.path("dimensions").asInt());
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals(json(OpenAiWire.fixture("embeddings.json")).path("usage").path("prompt_tokens").asLong(),
                event.path("prompt_tokens").asLong());
        assertEquals(0, event.path("completion_tokens").asLong());
    }

    @Test
    void theLocalEmbeddingModelAnswers503WhileMemoryServiceIsUnavailable() {
        Response r = given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"parley/all-minilm-l6-v2\",\"input\":\"hello\"}").post("/v1/embeddings");
        assertOpenAiError(r, 503, "model_unavailable", "model");
        r.then().header("Retry-After", "5").body(containsString("memory-service"));
    }

    @Test
    void theLocalEmbeddingModelIsServedByMemoryServiceWithTheServiceToken() {
        GatewayStubs.providers().stubFor(post(urlPathEqualTo("/memory-service/internal/v1/embeddings"))
                .withMetadata(java.util.Map.of("memory", true))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"object\":\"list\",\"model\":\"parley/all-minilm-l6-v2\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                                + "\"embedding\":[0.1,0.2,0.3]}],\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}")));
        Response r = given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"parley/all-minilm-l6-v2\",\"input\":\"hello\"}").post("/v1/embeddings");
        r.then().statusCode(200);
        OpenAiSpec.get().assertValid("CreateEmbeddingResponse", r.asString());
        LoggedRequest sent = GatewayFixtures.received("/memory-service/internal/v1", "/embeddings").get(0);
        assertTrue(sent.getHeader("Authorization").startsWith("Bearer ey"), "the gateway's service token, not the user's key");
        assertEquals("parley/all-minilm-l6-v2", json(sent.getBodyAsString()).path("model").asText());
    }

    @Test
    void modelsAreUsedForWhatTheyCanDo() {
        assertOpenAiError(given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"parley/echo\",\"input\":\"hello\"}").post("/v1/embeddings"), 400, "invalid_request", "model");
        assertOpenAiError(given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"parley/all-minilm-l6-v2\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .post("/v1/chat/completions"), 400, "invalid_request", "model");
        assertOpenAiError(given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"parley/all-minilm-l6-v2\",\"input\":[]}").post("/v1/embeddings"), 400, "invalid_request", "input");
    }

    @Test
    void metricsDescribeCallsByProviderAndModel() {
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"count me\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);
        String metrics = given().get("/q/metrics").asString();
        for (String m : List.of("parley_gateway_request_duration_seconds_bucket{endpoint=\"chat\",model=\"echo\",provider=\"parley\",status=\"200\"",
                "parley_gateway_overhead_seconds_bucket", "parley_gateway_tokens_total{direction=\"completion\",model=\"echo\",provider=\"parley\"}",
                "parley_gateway_outbox_backlog", "parley_gateway_relay_lag_seconds", "parley_gateway_outbox_queue")) {
            assertTrue(metrics.contains(m), "metric " + m);
        }
        assertFalse(metrics.contains(user.toString()), "no user ids in labels");
    }
}
