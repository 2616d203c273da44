package dev.parley.gateway;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.parley.gateway.GatewayFixtures.accessKey;
import static dev.parley.gateway.GatewayFixtures.json;
import static dev.parley.gateway.GatewayFixtures.providerKey;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.OpenAiSpec;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A user's own OpenAI-compatible servers list their models in /v1/models, read from each server's own list. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class SelfHostedModelsTest {
    private UUID user;
    private String key;

    @BeforeEach
    void newUser() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        key = accessKey(user);
    }

    private static String fixture(String name) {
        try (InputStream in = SelfHostedModelsTest.class.getResourceAsStream("/server-models/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The user's servers: key name → the path its stub answers on; auth-service lists and resolves them. */
    private void servers(Map<String, String> paths) {
        StringBuilder list = new StringBuilder("{\"data\":[");
        int i = 0;
        for (Map.Entry<String, String> s : paths.entrySet()) {
            String url = GatewayStubs.providers().baseUrl() + s.getValue();
            providerKey(user, s.getKey(), "openai_compatible", url, "sk-" + s.getKey());
            list.append(i++ > 0 ? "," : "").append("{\"id\":\"").append(UUID.randomUUID()).append("\",\"provider\":\"openai_compatible\",\"name\":\"")
                    .append(s.getKey()).append("\",\"base_url\":\"").append(url).append("\",\"label\":null}");
        }
        list.append("]}");
        AuthServiceStub.server().stubFor(get(urlPathEqualTo("/internal/v1/provider-keys"))
                .withQueryParam("user_id", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(list.toString())));
    }

    private static void answers(String path, String body) {
        GatewayStubs.providers().stubFor(get(urlPathEqualTo(path + "/models"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(body)));
    }

    private Map<String, JsonNode> models() {
        Response r = given().auth().oauth2(key).get("/v1/models");
        r.then().statusCode(200);
        OpenAiSpec.get().assertValid("ListModelsResponse", r.asString());
        Map<String, JsonNode> out = new LinkedHashMap<>();
        json(r.asString()).path("data").forEach(m -> out.put(m.path("id").asText(), m));
        return out;
    }

    @Test
    void eachServersModelsAreListedWithTheContextWindowItReports() {
        String p = "/sh-" + user;
        Map<String, String> paths = new LinkedHashMap<>();
        for (String server : new String[] {"vllm", "groq", "openrouter", "lmstudio", "llamacpp", "ollama"}) {
            paths.put("my-" + server, p + "/" + server + "/v1");
            answers(p + "/" + server + "/v1", fixture(server + ".json"));
        }
        servers(paths);

        Map<String, JsonNode> models = models();
        assertEquals(32768, models.get("my-vllm/meta-llama/Llama-3.1-8B-Instruct").path("context_window").asInt());
        assertEquals(131072, models.get("my-groq/llama-3.3-70b-versatile").path("context_window").asInt());
        assertEquals(32768, models.get("my-groq/llama-3.3-70b-versatile").path("max_output_tokens").asInt());
        assertEquals(128000, models.get("my-openrouter/openai/gpt-4o-mini").path("context_window").asInt());
        assertEquals(16384, models.get("my-openrouter/openai/gpt-4o-mini").path("max_output_tokens").asInt());
        assertEquals(131072, models.get("my-lmstudio/meta-llama-3.1-8b-instruct").path("context_window").asInt());
        assertEquals(32768, models.get("my-llamacpp/Qwen2.5-7B-Instruct-Q4_K_M.gguf").path("context_window").asInt());
        JsonNode ollama = models.get("my-ollama/llama3.2:latest");
        assertTrue(ollama.path("context_window").isNull(), "none reported: null, not a made-up default: " + ollama);
        assertEquals("my-ollama", ollama.path("owned_by").asText());
        assertTrue(models.containsKey("parley/echo"));
        GatewayStubs.providers().verify(1, getRequestedFor(urlPathEqualTo(p + "/vllm/v1/models"))
                .withHeader("Authorization", equalTo("Bearer sk-my-vllm")));

        models();
        GatewayStubs.providers().verify(1, getRequestedFor(urlPathEqualTo(p + "/vllm/v1/models"))); // cached
    }

    @Test
    void aServerThatIsDownSlowOrAnswersGarbageNeverBreaksTheList() throws Exception {
        String p = "/bad-" + user;
        answers(p + "/good/v1", fixture("vllm.json"));
        answers(p + "/garbage/v1", "<html>It works!</html>");
        GatewayStubs.providers().stubFor(get(urlPathEqualTo(p + "/down/v1/models")).willReturn(aResponse().withStatus(502)));
        GatewayStubs.providers().stubFor(get(urlPathEqualTo(p + "/slow/v1/models"))
                .willReturn(aResponse().withFixedDelay(6_000).withHeader("Content-Type", "application/json").withBody(fixture("groq.json"))));
        Map<String, String> paths = new LinkedHashMap<>();
        for (String s : new String[] {"good", "garbage", "down", "slow"}) {
            paths.put(s, p + "/" + s + "/v1");
        }
        paths.put("unreachable", "/nowhere"); // replaced below by a closed port
        servers(paths);
        providerKey(user, "unreachable", "openai_compatible", "http://127.0.0.1:1/v1", "sk-x");

        long start = System.nanoTime();
        Map<String, JsonNode> models = models();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 3_000, "/v1/models waits at most max-wait on servers: " + millis + " ms");
        assertTrue(models.containsKey("good/meta-llama/Llama-3.1-8B-Instruct"), models.keySet().toString());
        assertTrue(models.keySet().stream().noneMatch(id -> id.startsWith("garbage/") || id.startsWith("down/")
                || id.startsWith("slow/") || id.startsWith("unreachable/")), models.keySet().toString());

        // The good server goes down after its list expired: its last good list is still shown, at once.
        GatewayStubs.providers().stubFor(get(urlPathEqualTo(p + "/good/v1/models")).willReturn(aResponse().withStatus(500)));
        Thread.sleep(1_200);
        assertTrue(models().containsKey("good/meta-llama/Llama-3.1-8B-Instruct"));
        Thread.sleep(300);
        assertTrue(models().containsKey("good/meta-llama/Llama-3.1-8B-Instruct"), "still the last good list");
    }

    @Test
    void aRouteOverAServersModelTakesItsContextWindow() {
        String p = "/rt-" + user + "/v1";
        answers(p, fixture("vllm.json"));
        servers(Map.of("gpu", p));
        String token = Tokens.user(user, "someone");
        given().auth().oauth2(token).contentType("application/json")
                .body("{\"alias\":\"my/big\",\"deployments\":[{\"model\":\"gpu/meta-llama/Llama-3.1-8B-Instruct\"}]}")
                .post("/api/v1/routes").then().statusCode(201);
        Map<String, JsonNode> models = models();
        assertEquals(32768, models.get("my/big").path("context_window").asInt(), models.get("my/big").toString());
        assertFalse(models.get("my/big").path("capabilities").path("vision").asBoolean());
    }

    @Test
    void withoutTheListAtAuthServiceNothingChanges() {
        Map<String, JsonNode> models = models(); // auth-service answers 404 to the list: no servers, same list as before
        assertTrue(models.containsKey("parley/echo") && models.containsKey("mock/mock-model"));
    }
}
