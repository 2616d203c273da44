package dev.parley.gateway;

import static dev.parley.gateway.GatewayFixtures.accessKey;
import static dev.parley.gateway.GatewayFixtures.json;
import static dev.parley.gateway.GatewayFixtures.providerKey;
import static dev.parley.gateway.GatewayFixtures.received;
import static dev.parley.gateway.GatewayFixtures.usageEventsOf;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** /v1/chat/completions against an OpenAI-compatible provider speaking OpenAI's documented wire format. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class ChatCompletionsTest {
    private UUID user;
    private String key;
    private String base;

    @BeforeEach
    void newUserWithOwnProvider() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        key = accessKey(user);
        base = "/u-" + user + "/v1";
        providerKey(user, "mine", "openai_compatible", GatewayStubs.providers().baseUrl() + base, "sk-user-own-key-1234");
    }

    private Response chat(String body) {
        return given().auth().oauth2(key).contentType("application/json").body(body).post("/v1/chat/completions");
    }

    @Test
    void plainChatReturnsTheProvidersAnswerExactlyAndMetersIt() {
        OpenAiWire.chat(GatewayStubs.providers(), base, "chat-completion.json");
        Response r = chat("{\"model\":\"mine/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"temperature\":0.2,\"x_vendor_extension\":{\"keep\":true}}");
        r.then().statusCode(200).header("x-parley-deployment", "mine/gpt-4o-mini").contentType("application/json");
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", r.asString());
        assertEquals(json(OpenAiWire.fixture("chat-completion.json")), json(r.asString()));

        List<LoggedRequest> sent = received(base, "/chat/completions");
        assertEquals(1, sent.size());
        JsonNode upstream = json(sent.get(0).getBodyAsString());
        assertEquals("gpt-4o-mini", upstream.path("model").asText(), "the provider gets its own model name");
        assertTrue(upstream.path("x_vendor_extension").path("keep").asBoolean(), "unknown fields pass through");
        assertEquals("Bearer sk-user-own-key-1234", sent.get(0).getHeader("Authorization"), "the user's own key is used");

        JsonNode fixture = json(OpenAiWire.fixture("chat-completion.json"));
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals("success", event.path("status").asText());
        assertEquals(fixture.path("usage").path("prompt_tokens").asLong(), event.path("prompt_tokens").asLong());
        assertEquals(fixture.path("usage").path("completion_tokens").asLong(), event.path("completion_tokens").asLong());
        assertEquals("mine", event.path("provider").asText());
        assertEquals("gpt-4o-mini", event.path("model").asText());
        assertFalse(event.path("streamed").asBoolean());
        assertTrue(event.path("access_key_id").isTextual());
    }

    @Test
    void theWholeRequestIsForwardedUnchangedButTheModel() {
        OpenAiWire.chat(GatewayStubs.providers(), base, "chat-completion-tool-calls.json");
        String request = """
                {"model":"mine/gpt-4o","messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"user","content":[{"type":"text","text":"What is in this image?"},
                     {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}}]},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                     "function":{"name":"lookup","arguments":"{\\"q\\":\\"x\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"42"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
                     "properties":{"location":{"type":"string"}},"required":["location"]}}}],
                 "tool_choice":"auto","parallel_tool_calls":true,
                 "response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"}}},
                 "temperature":0.7,"top_p":0.9,"max_completion_tokens":200,"stop":["\\n\\n"],"seed":7,"n":1,
                 "logprobs":true,"top_logprobs":2,"user":"end-user-1","reasoning_effort":"low"}""";
        Response r = chat(request);
        r.then().statusCode(200);
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", r.asString());
        assertEquals(json(OpenAiWire.fixture("chat-completion-tool-calls.json")), json(r.asString()));
        ObjectNode expected = (ObjectNode) json(request);
        expected.put("model", "gpt-4o");
        assertEquals(expected, json(received(base, "/chat/completions").get(0).getBodyAsString()));
    }

    @Test
    void hopByHopHeadersAreNeverForwarded() {
        OpenAiWire.chat(GatewayStubs.providers(), base, "chat-completion.json");
        given().auth().oauth2(key).contentType("application/json")
                .header("Upgrade", "h2c").header("TE", "trailers").header("Keep-Alive", "timeout=5")
                .header("Proxy-Connection", "keep-alive").header("X-Custom-Client", "1")
                .body("{\"model\":\"mine/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);
        LoggedRequest sent = received(base, "/chat/completions").get(0);
        for (String h : List.of("Upgrade", "TE", "Keep-Alive", "Proxy-Connection", "HTTP2-Settings", "Transfer-Encoding",
                "X-Custom-Client", "X-Request-Id")) {
            assertFalse(sent.containsHeader(h), h + " must not reach the provider");
        }
        String connection = sent.getHeader("Connection");
        assertTrue(connection == null || !connection.toLowerCase().contains("upgrade"));
    }

    @Test
    void aJavaClientOfferingAnH2cUpgradeIsServedAndNothingOfItIsForwarded() throws Exception {
        OpenAiWire.chat(GatewayStubs.providers(), base, "chat-completion.json");
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2).build(); // cleartext: sends Upgrade: h2c + HTTP2-Settings
        java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/v1/chat/completions"))
                .timeout(java.time.Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"mine/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(json(OpenAiWire.fixture("chat-completion.json")), json(r.body()));
        LoggedRequest sent = received(base, "/chat/completions").get(0);
        for (String h : List.of("Upgrade", "HTTP2-Settings")) {
            assertFalse(sent.containsHeader(h), h + " must not reach the provider");
        }
    }

    @Test
    void streamedChatRelaysEveryChunkAndEndsWithDone() {
        OpenAiWire.chatStream(GatewayStubs.providers(), base, "chat-stream.sse");
        Response r = chat("{\"model\":\"mine/gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        r.then().statusCode(200).header("x-parley-deployment", "mine/gpt-4o-mini");
        assertTrue(r.contentType().startsWith("text/event-stream"));
        String body = r.asString();
        assertTrue(body.endsWith("data: [DONE]\n\n"), "the stream ends with [DONE]");
        List<String> got = OpenAiWire.sseDataLines(body);
        List<String> want = OpenAiWire.sseDataLines(OpenAiWire.fixture("chat-stream.sse"));
        assertEquals(want.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            OpenAiSpec.get().assertValid("CreateChatCompletionStreamResponse", got.get(i));
            assertEquals(json(want.get(i)), json(got.get(i)), "chunk " + i);
        }
        for (String event : body.split("\n\n")) {
            assertTrue(event.startsWith("data: "), "SSE framing: " + event);
        }
        JsonNode last = json(want.get(want.size() - 1));
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertTrue(event.path("streamed").asBoolean());
        assertEquals(last.path("usage").path("completion_tokens").asLong(), event.path("completion_tokens").asLong());
        assertTrue(event.path("ttft_ms").isNumber());
    }

    @Test
    void streamWithoutIncludeUsageIsStillMeteredButTheClientSeesNoUsage() {
        OpenAiWire.chatStream(GatewayStubs.providers(), base, "chat-stream.sse");
        Response r = chat("{\"model\":\"mine/gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        r.then().statusCode(200);
        List<String> got = OpenAiWire.sseDataLines(r.asString());
        for (String chunk : got) {
            OpenAiSpec.get().assertValid("CreateChatCompletionStreamResponse", chunk);
            assertFalse(json(chunk).has("usage"), "no usage when the client did not ask: " + chunk);
        }
        assertEquals(OpenAiWire.sseDataLines(OpenAiWire.fixture("chat-stream.sse")).size() - 1, got.size());
        JsonNode upstream = json(received(base, "/chat/completions").get(0).getBodyAsString());
        assertTrue(upstream.path("stream_options").path("include_usage").asBoolean(), "the gateway asks the provider for usage");
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertTrue(event.path("completion_tokens").asLong() > 0);
    }

    @Test
    void streamFromAProviderThatSendsNoUsageIsCountedNeverZero() {
        OpenAiWire.chatStream(GatewayStubs.providers(), base, "chat-stream-no-usage.sse");
        Response r = chat("{\"model\":\"mine/llama3\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the whole world please\"}]}");
        r.then().statusCode(200);
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertTrue(event.path("prompt_tokens").asLong() > 5, event.toString());
        assertTrue(event.path("completion_tokens").asLong() > 0, event.toString());
    }

    @Test
    void streamedParallelToolCallsKeepTheirIndexes() {
        OpenAiWire.chatStream(GatewayStubs.providers(), base, "chat-stream-tool-calls.sse");
        Response r = chat("{\"model\":\"mine/gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris and Tokyo?\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]}");
        r.then().statusCode(200);
        List<String> got = OpenAiWire.sseDataLines(r.asString());
        List<String> want = OpenAiWire.sseDataLines(OpenAiWire.fixture("chat-stream-tool-calls.sse"));
        assertEquals(want.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            OpenAiSpec.get().assertValid("CreateChatCompletionStreamResponse", got.get(i));
            assertEquals(json(want.get(i)), json(got.get(i)));
        }
    }

    @Test
    void aProvidersRequestErrorIsPassedOnInOpenAisShape() {
        OpenAiWire.chatError(GatewayStubs.providers(), base, 400, "error-400-context-length.json", java.util.Map.of());
        Response r = chat("{\"model\":\"mine/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        r.then().statusCode(400);
        OpenAiSpec.get().assertValid("ErrorResponse", r.asString());
        assertEquals(json(OpenAiWire.fixture("error-400-context-length.json")).path("error"), json(r.asString()).path("error"));
        assertEquals(1, received(base, "/chat/completions").size(), "a bad request is not retried");
        assertEquals("error", usageEventsOf(user, 1).get(0).path("status").asText());
    }

    @Test
    void echoRepeatsTheLastUserMessageWithHonestTokenCounts() {
        Response r = chat("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"first\"},{\"role\":\"assistant\",\"content\":\"ok\"},"
                + "{\"role\":\"user\",\"content\":\"Hello world\"}]}");
        r.then().statusCode(200).header("x-parley-deployment", "parley/echo")
                .body("choices[0].message.content", equalTo("Hello world"))
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("model", equalTo("parley/echo"))
                .body("usage.completion_tokens", equalTo(2)) // o200k: "Hello", " world"
                .body("usage.prompt_tokens", equalTo(26));  // 4 messages × 3 + 3 priming + 11 content/role tokens
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", r.asString());
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals("parley", event.path("provider").asText());
        assertEquals("echo", event.path("model").asText());
        assertEquals(2, event.path("completion_tokens").asLong());
    }

    @Test
    void echoStreamsWordByWord() {
        String text = "The quick  brown fox\njumps. ";
        Response r = chat("{\"model\":\"parley/echo\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text.replace("\n", "\\n") + "\"}]}");
        r.then().statusCode(200);
        assertTrue(r.asString().endsWith("data: [DONE]\n\n"));
        List<String> chunks = OpenAiWire.sseDataLines(r.asString());
        StringBuilder joined = new StringBuilder();
        int contentChunks = 0;
        for (String c : chunks) {
            OpenAiSpec.get().assertValid("CreateChatCompletionStreamResponse", c);
            JsonNode delta = json(c).path("choices").path(0).path("delta");
            if (delta.hasNonNull("content") && !delta.get("content").asText().isEmpty()) {
                joined.append(delta.get("content").asText());
                contentChunks++;
            }
        }
        assertEquals(text, joined.toString());
        assertEquals(5, contentChunks, "one chunk per word");
        assertEquals("assistant", json(chunks.get(0)).path("choices").path(0).path("delta").path("role").asText());
        JsonNode usage = json(chunks.get(chunks.size() - 1)).path("usage");
        assertTrue(usage.path("completion_tokens").asInt() > 0);
    }

    @Test
    void echoHonoursMaxTokens() {
        chat("{\"model\":\"parley/echo\",\"max_completion_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"one two three four\"}]}")
                .then().statusCode(200)
                .body("choices[0].message.content", equalTo("one two"))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(2));
    }

    @Test
    void badRequestsGetOpenAiErrors() {
        assertOpenAiError(chat("{not json"), 400, "invalid_request", null);
        assertOpenAiError(chat("{\"model\":\"parley/echo\"}"), 400, "invalid_request", "messages");
        assertOpenAiError(chat("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}"),
                400, "invalid_request", "messages[0].role");
        assertOpenAiError(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400, "invalid_request", "model");
        assertOpenAiError(chat("{\"model\":\"parley/echo\",\"temperature\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                400, "invalid_request", "temperature");
        assertOpenAiError(chat("{\"model\":\"parley/echo\",\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                400, "invalid_request", "stream_options");
        assertOpenAiError(chat("{\"model\":\"nobody/gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                404, "model_not_found", "model");
        assertOpenAiError(chat("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                404, "model_not_found", "model");
        Response missingKey = chat("{\"model\":\"openai/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertOpenAiError(missingKey, 400, "provider_key_missing", "model");
        assertTrue(missingKey.asString().contains("openai"), "names the missing provider key");
        assertOpenAiError(given().contentType("application/json").body("{}").post("/v1/chat/completions"),
                401, "invalid_api_key", null);
        assertOpenAiError(given().auth().oauth2("pk-unknown-key").contentType("application/json").body("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").post("/v1/chat/completions"),
                401, "invalid_api_key", null);
        assertOpenAiError(given().auth().oauth2(key).get("/v1/chat/completions"), 405, "method_not_allowed", null);
        assertOpenAiError(given().auth().oauth2(key).get("/v1/no-such-thing"), 404, "unknown_url", null);
    }

    @Test
    void anAccessKeyOnlyUsesItsAllowedModels() {
        String limited = accessKey(user, "parley/*");
        given().auth().oauth2(limited).contentType("application/json")
                .body("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);
        assertOpenAiError(given().auth().oauth2(limited).contentType("application/json")
                .body("{\"model\":\"mine/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .post("/v1/chat/completions"), 403, "model_not_allowed", "model");
        assertTrue(received(base, "/chat/completions").isEmpty());
    }

    @Test
    void aUsersOwnTokenWorksLikeAnAccessKey() {
        AuthServiceStub.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                        com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/internal/v1/users/" + user + "/status"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                        .withHeader("Content-Type", "application/json").withBody("{\"enabled\":true}")));
        given().auth().oauth2(dev.parley.testsupport.Tokens.user(user, "alice")).contentType("application/json")
                .body("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(200).body("choices[0].message.content", equalTo("hi"));
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertTrue(event.path("access_key_id").isNull(), "a user token, not a key");
        assertOpenAiError(given().auth().oauth2(dev.parley.testsupport.Tokens.expiredUser(user)).contentType("application/json")
                .body("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions"), 401, "invalid_api_key", null);
    }

    @Test
    void aServiceActingForAUserIsMeteredForThatUserAndTurn() {
        UUID session = UUID.randomUUID();
        UUID message = UUID.randomUUID();
        given().auth().oauth2(dev.parley.testsupport.Tokens.service("session-service"))
                .header("X-Parley-User", user.toString())
                .header("X-Parley-Session-Id", session.toString()).header("X-Parley-Message-Id", message.toString())
                .contentType("application/json")
                .body("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals(session.toString(), event.path("session_id").asText());
        assertEquals(message.toString(), event.path("message_id").asText());
        assertTrue(event.path("access_key_id").isNull());
    }

    @Test
    void idempotencyKeyReplaysTheFirstAnswerWithoutChargingTwice() {
        OpenAiWire.chat(GatewayStubs.providers(), base, "chat-completion.json");
        String body = "{\"model\":\"mine/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        String idem = "idem-" + UUID.randomUUID();
        Response first = given().auth().oauth2(key).header("Idempotency-Key", idem).contentType("application/json")
                .body(body).post("/v1/chat/completions");
        first.then().statusCode(200);
        Response second = given().auth().oauth2(key).header("Idempotency-Key", idem).contentType("application/json")
                .body(body).post("/v1/chat/completions");
        second.then().statusCode(200).header("Idempotent-Replayed", "true").header("x-parley-deployment", "mine/gpt-4o-mini");
        assertEquals(first.asString(), second.asString());
        assertEquals(1, received(base, "/chat/completions").size(), "the provider was called once");
        assertOpenAiError(given().auth().oauth2(key).header("Idempotency-Key", idem).contentType("application/json")
                .body(body.replace("Hi", "Hello")).post("/v1/chat/completions"), 422, "idempotency_key_reused", null);
        // One usage event only, even after the relay had time to deliver everything.
        usageEventsOf(user, 1);
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        assertEquals(1, usageEventsOf(user, 1).size());
    }

    static void assertOpenAiError(Response r, int status, String code, String param) {
        assertEquals(status, r.statusCode(), r.asString());
        r.then().contentType("application/json");
        OpenAiSpec.get().assertValid("ErrorResponse", r.asString());
        JsonNode error = json(r.asString()).path("error");
        assertEquals(code, error.path("code").asText(null), r.asString());
        if (param == null) {
            assertTrue(error.path("param").isNull(), r.asString());
        } else {
            assertEquals(param, error.path("param").asText(), r.asString());
        }
        assertNull(json(r.asString()).get("request_id"), "OpenAI's shape, not Parley's");
    }
}
