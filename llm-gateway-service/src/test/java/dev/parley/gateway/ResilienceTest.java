package dev.parley.gateway;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.parley.gateway.ChatCompletionsTest.assertOpenAiError;
import static dev.parley.gateway.GatewayFixtures.accessKey;
import static dev.parley.gateway.GatewayFixtures.json;
import static dev.parley.gateway.GatewayFixtures.providerKey;
import static dev.parley.gateway.GatewayFixtures.received;
import static dev.parley.gateway.GatewayFixtures.usageEventsOf;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.OpenAiSpec;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries, fallback, circuit breaking, timeouts, disconnects and heartbeats, against misbehaving providers. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class ResilienceTest {
    private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
    private UUID user;
    private String key;
    private String primary;
    private String secondary;

    @BeforeEach
    void newUserWithTwoProviders() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        key = accessKey(user);
        primary = "/p-" + user + "/v1";
        secondary = "/s-" + user + "/v1";
        providerKey(user, "primary", "openai_compatible", GatewayStubs.providers().baseUrl() + primary, "sk-primary");
        providerKey(user, "secondary", "openai_compatible", GatewayStubs.providers().baseUrl() + secondary, "sk-secondary");
    }

    private Response chat(String body) {
        return given().auth().oauth2(key).contentType("application/json").body(body).post("/v1/chat/completions");
    }

    private void failing(String base, int status, String fixture, Map<String, String> headers) {
        OpenAiWire.chatError(GatewayStubs.providers(), base, status, fixture, headers);
    }

    @Test
    void a429IsRetriedOnTheSameDeploymentHonouringRetryAfter() {
        String url = primary + "/chat/completions";
        GatewayStubs.providers().stubFor(post(urlPathEqualTo(url)).inScenario("r" + user).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withHeader("retry-after", "1").withBody(OpenAiWire.fixture("error-429.json")))
                .willSetStateTo("ok"));
        GatewayStubs.providers().stubFor(post(urlPathEqualTo(url)).inScenario("r" + user).whenScenarioStateIs("ok")
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(OpenAiWire.fixture("chat-completion.json"))));
        long t0 = System.nanoTime();
        chat("{\"model\":\"primary/m\"," + HI + "}").then().statusCode(200).header("x-parley-deployment", "primary/m");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(2, received(primary, "/chat/completions").size());
        assertTrue(ms >= 950, "waited for Retry-After: " + ms + " ms");
    }

    @Test
    void repeated5xxFallBackToTheNextDeployment() {
        failing(primary, 500, "error-500.json", Map.of());
        OpenAiWire.chat(GatewayStubs.providers(), secondary, "chat-completion.json");
        Response r = chat("{\"model\":\"t/chain\"," + HI + "}");
        r.then().statusCode(200).header("x-parley-deployment", "backup-deployment");
        assertEquals(json(OpenAiWire.fixture("chat-completion.json")), json(r.asString()));
        assertEquals(3, received(primary, "/chat/completions").size(), "three attempts on the first deployment");
        assertEquals("model-b", json(received(secondary, "/chat/completions").get(0).getBodyAsString()).path("model").asText());
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals("backup-deployment", event.path("deployment").asText());
        assertEquals("secondary", event.path("provider").asText());
    }

    @Test
    void whenEveryDeploymentFailsTheClientGetsOneCleanError() {
        failing(primary, 500, "error-500.json", Map.of());
        failing(secondary, 503, "error-500.json", Map.of());
        Response r = chat("{\"model\":\"t/chain\"," + HI + "}");
        assertOpenAiError(r, 502, json(OpenAiWire.fixture("error-500.json")).path("error").path("code").asText(null),
                null);
        assertEquals(3, received(secondary, "/chat/completions").size());
        assertEquals("error", usageEventsOf(user, 1).get(0).path("status").asText());
    }

    @Test
    void theCircuitOpensAfterRepeatedFailuresAndProbesAgainLater() throws Exception {
        failing(primary, 500, "error-500.json", Map.of());
        OpenAiWire.chat(GatewayStubs.providers(), secondary, "chat-completion.json");
        chat("{\"model\":\"t/chain\"," + HI + "}").then().statusCode(200).header("x-parley-deployment", "backup-deployment");
        assertEquals(3, received(primary, "/chat/completions").size());
        // Three consecutive failures opened the circuit: the next call does not touch the first deployment.
        chat("{\"model\":\"t/chain\"," + HI + "}").then().statusCode(200).header("x-parley-deployment", "backup-deployment");
        assertEquals(3, received(primary, "/chat/completions").size(), "an open circuit is skipped");
        // After the open duration (2 s in tests) one probe goes through; the deployment has recovered.
        GatewayStubs.providers().removeStub(GatewayStubs.providers().getStubMappings().stream()
                .filter(m -> m.getRequest().getUrlPath() != null && m.getRequest().getUrlPath().startsWith(primary)).findFirst().orElseThrow());
        OpenAiWire.chat(GatewayStubs.providers(), primary, "chat-completion.json");
        Thread.sleep(2_100);
        chat("{\"model\":\"t/chain\"," + HI + "}").then().statusCode(200).header("x-parley-deployment", "primary/model-a");
        assertEquals(4, received(primary, "/chat/completions").size());
        assertTrue(given().get("/q/metrics").asString().contains("parley_gateway_circuit_opened_total{deployment=\"primary/model-a\""));
    }

    @Test
    void aStreamIsNotRetriedOnceItsFirstByteReachedTheClient() throws Exception {
        String path = "/broken-" + user + "/v1";
        String url = ScriptedUpstream.script(path, req -> {
            req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            req.response().write(ScriptedUpstream.chunk("Hello", null));
            req.response().write(ScriptedUpstream.chunk(" there", null));
            ScriptedUpstream.vertx().setTimer(100, id -> req.connection().close());
        });
        providerKey(user, "primary", "openai_compatible", url, "sk-primary");
        OpenAiWire.chatStream(GatewayStubs.providers(), secondary, "chat-stream.sse");
        Response r = chat("{\"model\":\"t/chain\",\"stream\":true," + HI + "}");
        r.then().statusCode(200).header("x-parley-deployment", "primary/model-a");
        List<String> events = OpenAiWire.sseDataLines(r.asString());
        assertEquals(3, events.size(), r.asString());
        OpenAiSpec.get().assertValid("CreateChatCompletionStreamResponse", events.get(0));
        OpenAiSpec.get().assertValid("ErrorResponse", events.get(2));
        assertEquals("assistant", json(events.get(0)).path("choices").path(0).path("delta").path("role").asText(),
                "the first chunk carries the role even when the provider left it out");
        assertEquals(1, ScriptedUpstream.calls(path), "no retry after the first byte");
        assertTrue(received(secondary, "/chat/completions").isEmpty(), "no fallback after the first byte");
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals("error", event.path("status").asText());
        assertTrue(event.path("completion_tokens").asLong() > 0, "the partial answer is metered: " + event);
    }

    @Test
    void aStreamThatDiesBeforeItsFirstByteFallsBack() {
        String path = "/empty-" + user + "/v1";
        String url = ScriptedUpstream.script(path, req -> req.response().putHeader("Content-Type", "text/event-stream").end());
        providerKey(user, "primary", "openai_compatible", url, "sk-primary");
        OpenAiWire.chatStream(GatewayStubs.providers(), secondary, "chat-stream.sse");
        Response r = chat("{\"model\":\"t/chain\",\"stream\":true," + HI + "}");
        r.then().statusCode(200).header("x-parley-deployment", "backup-deployment");
        assertEquals(OpenAiWire.sseDataLines(OpenAiWire.fixture("chat-stream.sse")).size() - 1,
                OpenAiWire.sseDataLines(r.asString()).size());
        assertEquals(3, ScriptedUpstream.calls(path));
    }

    @Test
    void aHungProviderTimesOutAndTheNextDeploymentServes() {
        String path = "/hung-" + user + "/v1";
        String url = ScriptedUpstream.script(path, req -> { /* never answers */ });
        providerKey(user, "primary", "openai_compatible", url, "sk-primary");
        OpenAiWire.chat(GatewayStubs.providers(), secondary, "chat-completion.json");
        long t0 = System.nanoTime();
        chat("{\"model\":\"t/chain\"," + HI + "}").then().statusCode(200).header("x-parley-deployment", "backup-deployment");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(3, ScriptedUpstream.calls(path));
        assertTrue(ms >= 2_900 && ms < 6_000, "three 1 s timeouts then the fallback: " + ms + " ms");
    }

    @Test
    void aClientThatHangsUpCancelsTheUpstreamRequest() throws Exception {
        String path = "/slow-" + user + "/v1";
        String url = ScriptedUpstream.script(path, req -> {
            req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            long id = ScriptedUpstream.vertx().setPeriodic(100, t -> {
                if (!req.response().closed()) {
                    req.response().write(ScriptedUpstream.chunk("word ", null));
                }
            });
            req.response().closeHandler(v -> ScriptedUpstream.vertx().cancelTimer(id));
        });
        providerKey(user, "primary", "openai_compatible", url, "sk-primary");
        String body = "{\"model\":\"primary/m\",\"stream\":true," + HI + "}";
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            String seen = readUntil(s.getInputStream(), "data: ");
            assertTrue(seen.startsWith("HTTP/1.1 200"), seen);
        }
        assertTrue(ScriptedUpstream.closedWithin(path, 3_000), "the gateway closed its request to the provider");
        JsonNode event = usageEventsOf(user, 1).get(0);
        assertEquals("cancelled", event.path("status").asText());
        assertTrue(event.path("completion_tokens").asLong() > 0);
    }

    @Test
    void aSilentStreamGetsHeartbeatComments() throws Exception {
        String path = "/quiet-" + user + "/v1";
        String url = ScriptedUpstream.script(path, req -> ScriptedUpstream.vertx().setTimer(2_500, id -> {
            req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            req.response().write(ScriptedUpstream.chunk("late", null));
            req.response().end(ScriptedUpstream.chunk(null, "stop") + "data: [DONE]\n\n");
        }));
        providerKey(user, "primary", "openai_compatible", url, "sk-primary");
        Response r = chat("{\"model\":\"primary/m\",\"stream\":true," + HI + "}");
        r.then().statusCode(200);
        String body = r.asString();
        int heartbeat = body.indexOf(": keep-alive\n\n");
        assertTrue(heartbeat >= 0 && heartbeat < body.indexOf("data: "), "a heartbeat came before the first data: " + body);
        assertTrue(body.endsWith("data: [DONE]\n\n"));
        assertEquals(2, OpenAiWire.sseDataLines(body).size());
    }

    @Test
    void aKeyTheProviderRejectsIsResolvedAgainOnTheNextCall() {
        failing(primary, 401, "error-401.json", Map.of());
        Response r = chat("{\"model\":\"primary/m\"," + HI + "}");
        assertOpenAiError(r, 401, "provider_key_invalid", null);
        assertTrue(r.asString().contains("primary"), r.asString());
        assertFalse(r.asString().contains("sk-primary"), "the key never appears in an answer");
        chat("{\"model\":\"primary/m\"," + HI + "}");
        int resolves = AuthServiceStub.server().findAll(com.github.tomakehurst.wiremock.client.WireMock
                .postRequestedFor(urlPathEqualTo("/internal/v1/provider-keys/resolve"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.provider_key_name",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo("primary")))).size();
        assertEquals(2, resolves, "the cached key was dropped after the provider's 401");
    }

    @Test
    void theEgressPolicyRefusesMetadataAndLinkLocalDestinations() {
        for (String evil : List.of("http://169.254.169.254/v1", "http://metadata.google.internal/computeMetadata/v1",
                "http://[fe80::1]/v1", "http://[::ffff:169.254.169.254]/v1", "http://2852039166/v1", "file:///etc/passwd")) {
            UUID u = UUID.randomUUID();
            String k = accessKey(u);
            providerKey(u, "evil", "openai_compatible", evil, "sk-evil");
            Response r = given().auth().oauth2(k).contentType("application/json")
                    .body("{\"model\":\"evil/m\"," + HI + "}").post("/v1/chat/completions");
            assertOpenAiError(r, 400, "egress_refused", null);
        }
    }

    /** GatewayStubs denies a host with the former key, parley.gateway.egress.denied-hosts: it still applies. */
    @Test
    void aHostDeniedWithTheFormerEgressKeyIsRefusedWithTheSameMessage() {
        UUID u = UUID.randomUUID();
        String k = accessKey(u);
        providerKey(u, "denied", "openai_compatible", "http://denied.example/v1", "sk-denied");
        Response r = given().auth().oauth2(k).contentType("application/json")
                .body("{\"model\":\"denied/m\"," + HI + "}").post("/v1/chat/completions");
        assertOpenAiError(r, 400, "egress_refused", null);
        assertEquals("The provider's base URL is refused by the gateway's egress policy: the host denied.example is not "
                + "an allowed destination.", json(r.asString()).at("/error/message").asText());
    }

    private static String readUntil(InputStream in, String marker) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[1024];
        while (!sb.toString().contains(marker)) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** Failure counters with labels known at start exist at zero before any failure (dashboards show 0, not "no data"). */
    @Test
    void failureCountersExistBeforeTheFirstFailure() {
        String metrics = given().get("/q/metrics").asString();
        for (String kind : new String[] {"connect", "timeout", "status_429", "status_5xx", "circuit_open"}) {
            assertTrue(metrics.contains("parley_gateway_upstream_errors_total{kind=\"" + kind + "\",provider=\"anthropic\"}"),
                    kind);
        }
        assertTrue(metrics.contains("parley_gateway_retries_total{provider=\"gemini\"}"));
        assertTrue(metrics.contains("parley_gateway_rate_limited_total{dimension=\"tokens\"}"));
    }
}
