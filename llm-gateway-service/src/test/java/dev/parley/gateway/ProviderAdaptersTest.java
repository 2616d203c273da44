package dev.parley.gateway;

import static dev.parley.gateway.GatewayFixtures.accessKey;
import static dev.parley.gateway.GatewayFixtures.json;
import static dev.parley.gateway.GatewayFixtures.providerKey;
import static dev.parley.gateway.GatewayFixtures.usageEventsOf;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.LogCapture;
import dev.parley.testsupport.OpenAiSpec;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.anthropic.AnthropicWire;
import dev.parley.testsupport.gemini.GeminiWire;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Anthropic- and Gemini-backed models through the gateway's OpenAI surface, each provider played by WireMock with its
 * documented wire format: the client sees exactly what OpenAI's API would have answered.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class ProviderAdaptersTest {
    private static final String ANTHROPIC_KEY = "sk-ant-api03-user-secret-0123456789";
    private static final String GEMINI_KEY = "AIzaSyUserSecretGeminiKey0123456789";
    private UUID user;
    private String key;
    private String anthropicBase;
    private String geminiBase;

    @BeforeEach
    void userWithAnthropicAndGeminiKeys() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        key = accessKey(user);
        anthropicBase = "/a-" + user + "/v1";
        geminiBase = "/g-" + user + "/v1beta";
        providerKey(user, "anthropic", "anthropic", GatewayStubs.providers().baseUrl() + anthropicBase, ANTHROPIC_KEY);
        providerKey(user, "gemini", "gemini", GatewayStubs.providers().baseUrl() + geminiBase, GEMINI_KEY);
    }

    private Response chat(String body) {
        return given().auth().oauth2(key).contentType("application/json").body(body).post("/v1/chat/completions");
    }

    private static List<LoggedRequest> sent(String path) {
        return GatewayStubs.providers().findAll(WireMock.postRequestedFor(WireMock.urlPathEqualTo(path)));
    }

    /** The chunks of an SSE answer, after checking OpenAI's framing: data lines, blank lines, [DONE] last. */
    private static List<JsonNode> chunks(Response r) {
        String body = r.asString();
        assertTrue(body.endsWith("data: [DONE]\n\n"), "the stream ends with [DONE]: " + body);
        assertEquals(1, body.split("data: \\[DONE\\]", -1).length - 1, "[DONE] once");
        List<JsonNode> out = OpenAiWire.sseDataLines(body).stream().map(GatewayFixtures::json).toList();
        for (JsonNode c : out) {
            OpenAiSpec.get().assertValid("CreateChatCompletionStreamResponse", c.toString());
        }
        assertEquals("assistant", out.get(0).at("/choices/0/delta/role").asText(), "the first chunk carries the role");
        return out;
    }

    @Test
    void anthropicChatIsAnsweredAsAChatCompletionAndMeteredWithCacheTokens() {
        AnthropicWire.messages(GatewayStubs.providers(), anthropicBase, "message.json");
        Response r = chat("{\"model\":\"anthropic/claude-sonnet-4-5\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Capital of France?\"}],\"max_tokens\":100}");
        r.then().statusCode(200).header("x-parley-deployment", "anthropic/claude-sonnet-4-5");
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", r.asString());
        JsonNode body = json(r.asString());
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("created", 0);
        assertEquals(json("""
                {"id":"msg_01dZGhRjg34hRt2BUYnYFhQL","object":"chat.completion","created":0,"model":"claude-sonnet-4-5-20250929",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"The capital of France is Paris.","refusal":null},
                   "logprobs":null,"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":4614,"completion_tokens":9,"total_tokens":4623,
                   "prompt_tokens_details":{"cached_tokens":3400},"completion_tokens_details":{"reasoning_tokens":0}}}"""), body);

        LoggedRequest upstream = sent(anthropicBase + "/messages").get(0);
        assertEquals(ANTHROPIC_KEY, upstream.getHeader("x-api-key"));
        assertEquals(AnthropicWire.API_VERSION, upstream.getHeader("anthropic-version"));
        assertFalse(upstream.containsHeader("Authorization"));
        assertEquals(json("""
                {"model":"claude-sonnet-4-5","messages":[{"role":"user","content":[{"type":"text","text":"Capital of France?"}]}],
                 "system":[{"type":"text","text":"Be brief."}],"max_tokens":100}"""), json(upstream.getBodyAsString()));

        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals("anthropic", event.path("provider").asText());
        assertEquals("claude-sonnet-4-5", event.path("model").asText());
        assertEquals(4614, event.path("prompt_tokens").asLong());
        assertEquals(3400, event.path("cached_tokens").asLong());
        assertEquals(1200, event.path("cache_write_tokens").asLong());
        assertEquals(9, event.path("completion_tokens").asLong());
    }

    @Test
    void anthropicParallelToolCallsStreamAsSeparateIndexedCallsWithUsageWhenAsked() {
        AnthropicWire.messagesStream(GatewayStubs.providers(), anthropicBase, "stream-tool-use-parallel.sse");
        Response r = chat("""
                {"model":"anthropic/claude-sonnet-4-5","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"Weather in Paris and Tokyo?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]}""");
        r.then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/event-stream"));
        List<JsonNode> chunks = chunks(r);
        Map<Integer, StringBuilder> args = new HashMap<>();
        Map<Integer, String> ids = new HashMap<>();
        for (JsonNode c : chunks) {
            for (JsonNode call : c.at("/choices/0/delta/tool_calls")) {
                int index = call.path("index").asInt();
                if (call.has("id")) {
                    ids.put(index, call.get("id").asText());
                }
                args.computeIfAbsent(index, i -> new StringBuilder()).append(call.at("/function/arguments").asText(""));
            }
        }
        assertEquals(Map.of(0, "toolu_01igqBiekxyTni4FXwMj5vgU", 1, "toolu_01iUnJ2XGNGW2EbbTGuuSdef"), ids);
        assertEquals(json("{\"location\":\"Paris, France\"}"), json(args.get(0).toString()));
        assertEquals(json("{\"location\":\"Tokyo, Japan\"}"), json(args.get(1).toString()));
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertEquals("tool_calls", finish.at("/choices/0/finish_reason").asText());
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertTrue(usage.get("choices").isEmpty());
        assertEquals(412, usage.at("/usage/prompt_tokens").asLong());
        assertEquals(json("{\"model\":\"claude-sonnet-4-5\",\"stream\":true}").get("stream"),
                json(sent(anthropicBase + "/messages").get(0).getBodyAsString()).get("stream"));
    }

    @Test
    void anthropicStreamWithoutIncludeUsageHidesTheUsageChunkButMetersIt() {
        AnthropicWire.messagesStream(GatewayStubs.providers(), anthropicBase, "stream.sse");
        List<JsonNode> chunks = chunks(chat("{\"model\":\"anthropic/claude-sonnet-4-5\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Capital of France?\"}]}"));
        assertTrue(chunks.stream().noneMatch(c -> c.has("usage")));
        assertEquals("stop", chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText());
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals(25, event.path("prompt_tokens").asLong());
        assertEquals(9, event.path("completion_tokens").asLong());
        assertTrue(event.path("streamed").asBoolean());
    }

    @Test
    void anthropicOverloadIsRetriedThenAnswered503WithRetryAfter() {
        AnthropicWire.messagesError(GatewayStubs.providers(), anthropicBase, 529, "error-529-overloaded.json", Map.of());
        Response r = chat("{\"model\":\"anthropic/claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        r.then().statusCode(503).header("Retry-After", org.hamcrest.Matchers.notNullValue());
        OpenAiSpec.get().assertValid("ErrorResponse", r.asString());
        assertEquals("server_error", json(r.asString()).at("/error/type").asText());
        assertEquals("overloaded", json(r.asString()).at("/error/code").asText());
        assertEquals(3, sent(anthropicBase + "/messages").size(), "retried up to parley.gateway.retry.max-attempts");
    }

    @Test
    void anthropicRateLimitIsA429WithTheProvidersRetryAfter() {
        AnthropicWire.messagesError(GatewayStubs.providers(), anthropicBase, 429, "error-429.json", AnthropicWire.RATE_LIMITED_HEADERS);
        Response r = chat("{\"model\":\"anthropic/claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        r.then().statusCode(429).header("Retry-After", AnthropicWire.RATE_LIMITED_HEADERS.get("retry-after"));
        assertEquals("rate_limit_error", json(r.asString()).at("/error/type").asText());
        assertEquals(1, sent(anthropicBase + "/messages").size(), "a wait beyond max-retry-after is not waited for");
    }

    @Test
    void anthropicOverloadAfterContentEndsTheStreamWithAnErrorEventAndNoDone() {
        AnthropicWire.messagesStream(GatewayStubs.providers(), anthropicBase, "stream-error-overloaded.sse");
        Response r = chat("{\"model\":\"anthropic/claude-sonnet-4-5\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        r.then().statusCode(200);
        String body = r.asString();
        assertTrue(body.contains("\"overloaded\""), body);
        assertFalse(body.contains("[DONE]"), "a broken stream does not pretend to be complete");
    }

    @Test
    void geminiChatTravelsWithTheKeyInAHeaderOnlyAndComesBackAsAChatCompletion() {
        GeminiWire.generateContent(GatewayStubs.providers(), geminiBase, "gemini-2.5-flash", "generate-content.json");
        Response r = chat("{\"model\":\"gemini/gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Capital of France?\"}],\"temperature\":0.1}");
        r.then().statusCode(200);
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", r.asString());
        JsonNode body = json(r.asString());
        assertEquals("The capital of France is Paris.", body.at("/choices/0/message/content").asText());
        assertEquals(1024, body.at("/usage/prompt_tokens_details/cached_tokens").asLong());
        LoggedRequest upstream = sent(geminiBase + "/models/gemini-2.5-flash:generateContent").get(0);
        assertEquals(GEMINI_KEY, upstream.getHeader(GeminiWire.API_KEY_HEADER));
        assertFalse(upstream.getUrl().contains(GEMINI_KEY), upstream.getUrl());
        assertFalse(upstream.getUrl().contains("key="), upstream.getUrl());
        assertEquals(json("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Capital of France?\"}]}],"
                + "\"generationConfig\":{\"temperature\":0.1}}"), json(upstream.getBodyAsString()));
    }

    @Test
    void geminiStreamedFunctionCallsKeepTheirIndexes() {
        GeminiWire.streamGenerateContent(GatewayStubs.providers(), geminiBase, "gemini-2.5-flash", "stream-function-calls.sse");
        List<JsonNode> chunks = chunks(chat("{\"model\":\"gemini/gemini-2.5-flash\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}]}"));
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode c : chunks) {
            for (JsonNode call : c.at("/choices/0/delta/tool_calls")) {
                assertEquals(names.size(), call.path("index").asInt());
                names.add(call.at("/function/name").asText());
            }
        }
        assertEquals(List.of("get_weather", "get_weather"), names);
        assertEquals("tool_calls", chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText());
        assertEquals(74, chunks.get(chunks.size() - 1).at("/usage/prompt_tokens").asLong());
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals(104, event.path("reasoning_tokens").asLong());
    }

    @Test
    void aRejectedGeminiKeyIsA401ThatNeverShowsTheKeyInTheAnswerOrTheLogs() {
        GeminiWire.error(GatewayStubs.providers(), geminiBase, "gemini-2.5-flash", "generateContent", 400,
                "error-400-api-key-invalid.json", Map.of());
        try (LogCapture logs = LogCapture.start()) {
            Response r = chat("{\"model\":\"gemini/gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
            r.then().statusCode(401);
            JsonNode error = json(r.asString()).get("error");
            assertEquals("provider_key_invalid", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("API key not valid"), error.toString());
            assertFalse(r.asString().contains(GEMINI_KEY));
            assertFalse(r.asString().contains(GEMINI_KEY.substring(0, 12)));
            for (String line : logs.lines()) {
                assertFalse(line.contains(GEMINI_KEY.substring(0, 12)), line);
            }
        }
    }

    @Test
    void geminiEmbeddingsAreOpenAisEmbeddingList() {
        GeminiWire.batchEmbedContents(GatewayStubs.providers(), geminiBase, "gemini-embedding-001", "batch-embed-contents.json");
        Response r = given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"gemini/gemini-embedding-001\",\"input\":[\"a\",\"b\"]}").post("/v1/embeddings");
        r.then().statusCode(200);
        OpenAiSpec.get().assertValid("CreateEmbeddingResponse", r.asString());
        JsonNode body = json(r.asString());
        assertEquals(2, body.get("data").size());
        assertEquals(8, body.at("/data/0/embedding").size());
        assertEquals("gemini-embedding-001", body.path("model").asText());
    }

    @Test
    void theModelListShowsAnthropicAndGeminiModelsToAUserWithThoseKeys() {
        JsonNode models = json(given().auth().oauth2(key).get("/v1/models").asString());
        List<String> ids = new java.util.ArrayList<>();
        models.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertTrue(ids.contains("anthropic/claude-sonnet-4-5"), ids.toString());
        assertTrue(ids.contains("gemini/gemini-2.5-flash"), ids.toString());
        assertTrue(ids.contains("gemini/gemini-embedding-001"), ids.toString());
        JsonNode claude = given().auth().oauth2(key).get("/v1/models/anthropic/claude-sonnet-4-5").as(JsonNode.class);
        assertEquals(200000, claude.path("context_window").asLong());
        assertTrue(claude.path("capabilities").path("tools").asBoolean());
    }

    @Test
    void aRequestAProviderCannotExpressIsA400BeforeAnyCall() {
        Response r = chat("{\"model\":\"anthropic/claude-sonnet-4-5\",\"n\":3,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        r.then().statusCode(400);
        assertEquals("n", json(r.asString()).at("/error/param").asText());
        assertTrue(sent(anthropicBase + "/messages").isEmpty());
        Response e = given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"anthropic/claude-sonnet-4-5\",\"input\":\"x\"}").post("/v1/embeddings");
        e.then().statusCode(400);
        assertTrue(json(e.asString()).at("/error/message").asText().contains("no embeddings"), e.asString());
    }
}
