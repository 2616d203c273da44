package dev.parley.gateway;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.parley.gateway.ChatCompletionsTest.assertOpenAiError;
import static dev.parley.gateway.GatewayFixtures.accessKey;
import static dev.parley.gateway.GatewayFixtures.json;
import static dev.parley.gateway.GatewayFixtures.providerKey;
import static dev.parley.gateway.GatewayFixtures.received;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.OpenAiSpec;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code "thinking"} on /v1/chat/completions: translated for the deployment's API, ignored for a model the catalogue
 * knows without reasoning, and the reasoning returned as {@code reasoning_content} whatever the server called it.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class ThinkingTest {
    /** Ollama's /v1/chat/completions answer for a thinking model (qwen3): the reasoning in {@code reasoning}. */
    private static final String OLLAMA_ANSWER = """
            {"id":"chatcmpl-123","object":"chat.completion","created":1751000000,"model":"qwen3:8b",
             "system_fingerprint":"fp_ollama","choices":[{"index":0,"message":{"role":"assistant","content":"4",
             "reasoning":"2 plus 2 is 4."},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":20,"total_tokens":32}}""";

    private UUID user;
    private String key;
    private String base;

    @BeforeEach
    void newUser() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        key = accessKey(user);
        base = "/t-" + user + "/v1";
        providerKey(user, "local", "openai_compatible", GatewayStubs.providers().baseUrl() + base, "none");
        providerKey(user, "openai", "openai", GatewayStubs.providers().baseUrl() + base, "sk-users-openai-1234");
        GatewayStubs.providers().stubFor(post(urlPathEqualTo(base + "/chat/completions")).willReturn(okJson(OLLAMA_ANSWER)));
    }

    private Response chat(String model, String thinking) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"}],\"thinking\":" + thinking + "}")
                .post("/v1/chat/completions");
    }

    private JsonNode lastUpstreamBody() {
        var sent = received(base, "/chat/completions");
        return json(sent.get(sent.size() - 1).getBodyAsString());
    }

    @Test
    void anOpenAiCompatibleServerGetsWhatOllamaVllmAndLlamaCppTakeAndItsReasoningComesBackApart() {
        Response r = chat("local/qwen3:8b", "true");
        r.then().statusCode(200);
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", r.asString());
        JsonNode message = json(r.asString()).at("/choices/0/message");
        assertEquals("4", message.path("content").asText());
        assertEquals("2 plus 2 is 4.", message.path("reasoning_content").asText());
        assertFalse(message.has("reasoning"), "one name for the reasoning");
        JsonNode up = lastUpstreamBody();
        assertEquals("medium", up.path("reasoning_effort").asText());
        assertTrue(up.at("/chat_template_kwargs/enable_thinking").asBoolean());
        assertFalse(up.has("thinking"));

        chat("local/qwen3:8b", "false").then().statusCode(200);
        up = lastUpstreamBody();
        assertEquals("none", up.path("reasoning_effort").asText(), "Ollama's way to turn thinking off");
        assertFalse(up.at("/chat_template_kwargs/enable_thinking").asBoolean(true));
    }

    @Test
    void aStreamedReasoningDeltaIsReasoningContentToo() {
        String sse = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"qwen3:8b\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"reasoning\":\"Hmm.\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"qwen3:8b\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"4\"},\"finish_reason\":\"stop\"}]}\n\n"
                + "data: [DONE]\n\n";
        GatewayStubs.providers().stubFor(post(urlPathEqualTo(base + "/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream").withBody(sse)));
        String body = given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"local/qwen3:8b\",\"stream\":true,\"thinking\":{\"budget_tokens\":20000},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"}]}")
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        assertTrue(body.contains("\"reasoning_content\":\"Hmm.\""), body);
        assertFalse(body.contains("\"reasoning\":"), body);
        assertEquals("high", lastUpstreamBody().path("reasoning_effort").asText(), "a budget of 20,000 is high effort");
    }

    @Test
    void openAiGetsReasoningEffortForAReasoningModelAndNothingForOneWithout() {
        chat("openai/o3", "{\"budget_tokens\":2000}").then().statusCode(200);
        JsonNode up = lastUpstreamBody();
        assertEquals("low", up.path("reasoning_effort").asText());
        assertFalse(up.has("thinking"), "OpenAI refuses unknown fields");
        assertFalse(up.has("chat_template_kwargs"), "nor other servers' fields");

        chat("openai/gpt-4o", "true").then().statusCode(200);
        up = lastUpstreamBody();
        assertFalse(up.has("reasoning_effort"), "gpt-4o does not reason: thinking is ignored");
        assertFalse(up.has("thinking"));
    }

    @Test
    void aThinkingValueThatIsNoneOfTheFormsIsA400() {
        for (String bad : new String[] {"\"yes\"", "1", "{\"budget_tokens\":0}", "{\"budget_tokens\":\"many\"}",
                "{\"type\":\"sometimes\"}"}) {
            assertOpenAiError(chat("local/qwen3:8b", bad), 400, "invalid_request", "thinking");
        }
        chat("local/qwen3:8b", "null").then().statusCode(200); // null: as if absent
        assertFalse(lastUpstreamBody().has("reasoning_effort"));
    }
}
