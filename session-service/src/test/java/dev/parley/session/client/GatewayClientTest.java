package dev.parley.session.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.session.SessionStubs;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The typed gateway client against a WireMock gateway speaking OpenAI's real wire format (test-support's fixtures):
 * text, tool calls in a completion ({@code message.tool_calls}) and in a stream ({@code delta.tool_calls} fragments),
 * usage, refusals, and what each request carries.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class GatewayClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "openai/gpt-4o-mini";

    @Inject
    GatewayClient gateway;

    private UUID user;
    private final UUID session = UUID.randomUUID();
    private final UUID reply = UUID.randomUUID();

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
    }

    private void answers(String fixture) {
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withHeader("x-parley-deployment", MODEL)
                        .withBody(OpenAiWire.fixture(fixture))));
    }

    private void streams(String fixture) {
        String body = OpenAiWire.fixture(fixture);
        int events = OpenAiWire.sseDataLines(body).size() + 1;
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream; charset=utf-8").withHeader("x-parley-deployment", MODEL)
                        .withBody(body).withChunkedDribbleDelay(events, 5 * events)));
    }

    private static ChatRequest request(boolean stream) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("temperature", 0.2);
        params.put("reasoning", "low");
        params.put("not_openai", "kept with the session");
        return ChatRequest.of(MODEL, List.of(Map.of("role", "user", "content", "Weather in Paris and Tokyo?")), params, stream);
    }

    private LoggedRequest lastCall() {
        List<LoggedRequest> calls = SessionStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", equalTo(user.toString())));
        return calls.get(calls.size() - 1);
    }

    @Test
    void aCompletionSurfacesItsToolCallsAndUsage() throws Exception {
        answers("chat-completion-tool-calls.json");
        GatewayClient.Completed answer = gateway.chat(user, session, reply, request(false));
        ChatCompletion c = answer.completion();
        assertNull(c.content());
        assertEquals("tool_calls", c.finishReason());
        assertEquals(List.of(
                new ChatCompletion.ToolCall("call_Yq3mT8vLk2NwP5rXc7HdJ0aB", "function", "get_weather", "{\"location\": \"Paris, France\"}"),
                new ChatCompletion.ToolCall("call_R4sG9bWn1ZxQe6KtVm8UfC2o", "function", "get_weather", "{\"location\": \"Tokyo, Japan\"}")),
                c.toolCalls());
        assertEquals(82, c.usage().promptTokens());
        assertEquals(51, c.usage().completionTokens());
        assertEquals(133, c.usage().totalTokens());
        assertEquals(MODEL, answer.deployment());

        LoggedRequest call = lastCall();
        assertEquals(session.toString(), call.getHeader("X-Parley-Session-Id"));
        assertEquals(reply.toString(), call.getHeader("X-Parley-Message-Id"));
        assertTrue(call.getHeader("Authorization").startsWith("Bearer "), "the service token");
        JsonNode sent = JSON.readTree(call.getBodyAsString());
        assertEquals(MODEL, sent.path("model").asText());
        assertEquals(0.2, sent.path("temperature").asDouble());
        assertEquals("low", sent.path("reasoning_effort").asText(), "reasoning is sent as OpenAI's reasoning_effort");
        assertTrue(sent.path("not_openai").isMissingNode() && sent.path("stream").isMissingNode() && sent.path("top_p").isMissingNode(),
                "only the fields set are sent: " + sent);
    }

    @Test
    void aPlainAnswerHasItsTextAndNoToolCalls() throws Exception {
        answers("chat-completion.json");
        ChatCompletion c = gateway.chat(user, null, null, request(false)).completion();
        assertEquals("Hello! How can I help you today?", c.content());
        assertEquals("stop", c.finishReason());
        assertEquals(List.of(), c.toolCalls());
        assertEquals(20, c.usage().totalTokens());
        LoggedRequest call = lastCall();
        assertTrue(!call.containsHeader("X-Parley-Session-Id") && !call.containsHeader("X-Parley-Message-Id"),
                "a one-off call names no session or message");
    }

    @Test
    void aStreamSurfacesToolCallFragmentsByIndexThenTheFinishReasonAndUsage() throws Exception {
        streams("chat-stream-tool-calls.sse");
        Map<Integer, StringBuilder> arguments = new TreeMap<>();
        Map<Integer, String> ids = new TreeMap<>();
        Map<Integer, String> names = new TreeMap<>();
        String finish = null;
        ChatCompletion.Usage usage = null;
        StringBuilder text = new StringBuilder();
        try (ChatStream s = gateway.chatStream(user, session, reply, request(true))) {
            assertEquals(MODEL, s.deployment());
            ChatDelta d;
            while ((d = s.next()) != null) {
                for (ChatDelta.ToolCallDelta t : d.toolCalls()) {
                    arguments.computeIfAbsent(t.index(), i -> new StringBuilder()).append(t.arguments() == null ? "" : t.arguments());
                    if (t.id() != null) {
                        ids.put(t.index(), t.id());
                    }
                    if (t.name() != null) {
                        names.put(t.index(), t.name());
                    }
                }
                if (d.content() != null) {
                    text.append(d.content());
                }
                finish = d.finishReason() != null ? d.finishReason() : finish;
                usage = d.usage() != null ? d.usage() : usage;
            }
            assertTrue(s.done(), "ended with [DONE]");
        }
        assertEquals("", text.toString());
        assertEquals(Map.of(0, "call_Yq3mT8vLk2NwP5rXc7HdJ0aB", 1, "call_R4sG9bWn1ZxQe6KtVm8UfC2o"), ids);
        assertEquals(Map.of(0, "get_weather", 1, "get_weather"), names);
        assertEquals("{\"location\": \"Paris, France\"}", arguments.get(0).toString());
        assertEquals("{\"location\": \"Tokyo, Japan\"}", arguments.get(1).toString());
        assertEquals("tool_calls", finish);
        assertEquals(133, usage.totalTokens());
        JsonNode sent = JSON.readTree(lastCall().getBodyAsString());
        assertTrue(sent.path("stream").asBoolean() && sent.path("stream_options").path("include_usage").asBoolean(), sent.toString());
    }

    @Test
    void aStreamedAnswerIsItsContentPiecesInOrder() throws Exception {
        streams("chat-stream.sse");
        List<String> pieces = new ArrayList<>();
        try (ChatStream s = gateway.chatStream(user, session, reply, request(true))) {
            ChatDelta d;
            while ((d = s.next()) != null) {
                if (d.content() != null && !d.content().isEmpty()) {
                    pieces.add(d.content());
                }
                assertEquals(List.of(), d.toolCalls());
            }
        }
        assertEquals("Hello! How can I help you today?", String.join("", pieces));
        assertTrue(pieces.size() > 5, "piece by piece: " + pieces);
    }

    @Test
    void aRefusalIsAGatewayErrorWithTheGatewaysCodeBothWays() {
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withBody(OpenAiWire.fixture("error-429.json"))));
        GatewayError plain = assertThrows(GatewayError.class, () -> gateway.chat(user, session, reply, request(false)));
        GatewayError streamed = assertThrows(GatewayError.class, () -> gateway.chatStream(user, session, reply, request(true)));
        for (GatewayError e : List.of(plain, streamed)) {
            assertEquals(429, e.status());
            assertTrue(e.gatewayMessage() != null && !e.gatewayMessage().isBlank());
        }
        assertEquals(plain.code(), streamed.code());
    }
}
