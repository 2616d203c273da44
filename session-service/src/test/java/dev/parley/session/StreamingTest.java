package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streamed turns that do not end normally: the client leaves, the user cancels, the gateway is silent for a while. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class StreamingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "openai/gpt-4o-mini";
    private UUID user;
    private String token;
    private String session;

    @BeforeEach
    void slowStream() {
        AuthServiceStub.resetToDefaults();
        SessionStubs.memoryUp();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
        SessionStubs.gateway().stubFor(get(urlPathEqualTo("/v1/models/" + MODEL)).willReturn(okJson("{\"id\":\"" + MODEL
                + "\",\"context_window\":128000}")));
        // the fixture's chunks spread over 4 seconds, as a slow model streams
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withHeader("x-parley-deployment", MODEL)
                        .withBody(OpenAiWire.fixture("chat-stream.sse")).withChunkedDribbleDelay(12, 4000)));
        session = given().auth().oauth2(token).contentType("application/json").body("{\"model\":\"" + MODEL + "\"}")
                .post("/api/v1/sessions").then().statusCode(201).extract().jsonPath().getString("id");
    }

    private HttpResponse<InputStream> openStream(HttpClient http) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                        + "/api/v1/sessions/" + session + "/messages"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"tell me a story\"}")).build();
        return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Reads events until the first delta; answers the user message's id from message.created. */
    private static String untilFirstDelta(BufferedReader in) throws Exception {
        String userMessageId = null;
        String event = null;
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ") && "message.created".equals(event)) {
                userMessageId = JSON.readTree(line.substring(6)).path("id").asText();
            } else if (line.startsWith("data: ") && "delta".equals(event)) {
                return userMessageId;
            }
        }
        throw new AssertionError("the stream ended before a delta");
    }

    private JsonNode reply() throws Exception {
        long until = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < until) {
            List<JsonNode> tree = JSON.readTree(given().auth().oauth2(token).queryParam("view", "tree")
                    .get("/api/v1/sessions/" + session + "/messages").asString()).path("data").findParents("role");
            for (JsonNode m : tree) {
                if ("assistant".equals(m.path("role").asText())) {
                    return m;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no reply stored");
    }

    @Test
    void aClientThatLeavesMidStreamLeavesAPartialReply() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> resp = openStream(http);
        assertEquals(200, resp.statusCode());
        BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));
        untilFirstDelta(in);
        resp.body().close(); // the client goes away
        JsonNode reply = reply();
        assertEquals("partial", reply.path("status").asText());
        String full = fullText();
        String got = reply.path("content").asText();
        assertFalse(got.isEmpty());
        assertTrue(full.startsWith(got) && got.length() < full.length(), "a prefix of the answer: '" + got + "'");
    }

    @Test
    void cancellingAGenerationKeepsWhatWasGeneratedAsCancelled() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> resp = openStream(http);
        BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));
        String userMessageId = untilFirstDelta(in);
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "mallory")).post("/api/v1/messages/" + userMessageId + "/cancel")
                .then().statusCode(404);
        given().auth().oauth2(token).post("/api/v1/messages/" + userMessageId + "/cancel").then().statusCode(202);
        String line;
        String last = null;
        String lastEvent = null;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("event: ")) {
                lastEvent = line.substring(7);
            } else if (line.startsWith("data: ")) {
                last = line.substring(6);
            }
        }
        assertEquals("message.completed", lastEvent);
        JsonNode completed = JSON.readTree(last);
        assertEquals("cancelled", completed.path("status").asText());
        assertTrue(fullText().startsWith(completed.path("content").asText()));
        assertEquals("cancelled", reply().path("status").asText());
        given().auth().oauth2(token).post("/api/v1/messages/" + userMessageId + "/cancel").then().statusCode(409);
    }

    /** A connection to the service's database standing in for a second replica of session-service. */
    private static java.sql.Connection otherReplica() throws Exception {
        var cfg = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        return java.sql.DriverManager.getConnection(cfg.getValue("quarkus.datasource.jdbc.url", String.class),
                cfg.getOptionalValue("quarkus.datasource.username", String.class).orElse(""),
                cfg.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
    }

    private static List<String> notifications(java.sql.Connection c, int atLeast) throws Exception {
        List<String> got = new java.util.ArrayList<>();
        long until = System.currentTimeMillis() + 5000;
        while (got.size() < atLeast && System.currentTimeMillis() < until) {
            org.postgresql.PGNotification[] n = c.unwrap(org.postgresql.PGConnection.class).getNotifications(200);
            if (n != null) {
                for (org.postgresql.PGNotification x : n) {
                    got.add(x.getName() + "|" + x.getParameter());
                }
            }
        }
        return got;
    }

    @Test
    void aCancelAskedOnAnotherReplicaStopsTheGenerationRunningHere() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> resp = openStream(http);
        BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));
        String userMessageId = untilFirstDelta(in);
        try (java.sql.Connection other = otherReplica(); java.sql.Statement st = other.createStatement()) {
            st.execute("LISTEN parley_session_cancelled");
            // someone else's user id: ignored, no answer
            st.execute("NOTIFY parley_session_cancel, 'n1:" + UUID.randomUUID() + ":" + userMessageId + "'");
            st.execute("NOTIFY parley_session_cancel, 'n2:" + user + ":" + userMessageId + "'");
            assertEquals(List.of("parley_session_cancelled|n2"), notifications(other, 1), "only the owner's request is answered");
        }
        String line;
        String last = null;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("data: ")) {
                last = line.substring(6);
            }
        }
        assertEquals("cancelled", JSON.readTree(last).path("status").asText());
        assertEquals("cancelled", reply().path("status").asText());
    }

    @Test
    void aCancelForAGenerationOnAnotherReplicaIsAskedThere() throws Exception {
        String stored = given().auth().oauth2(token).contentType("application/json").body("{\"content\":\"done\"}")
                .post("/api/v1/sessions/" + session + "/messages").then().statusCode(201).extract().path("user_message.id");
        try (java.sql.Connection other = otherReplica(); java.sql.Statement st = other.createStatement()) {
            st.execute("LISTEN parley_session_cancel");
            // nobody runs it: the request goes out, no replica answers, 409
            given().auth().oauth2(token).post("/api/v1/messages/" + stored + "/cancel").then().statusCode(409);
            List<String> asked = notifications(other, 1);
            assertEquals(1, asked.size());
            String[] parts = asked.get(0).substring("parley_session_cancel|".length()).split(":");
            assertEquals(List.of(user.toString(), stored), List.of(parts[1], parts[2]));
            // the other replica runs it and answers: 202
            Thread answering = new Thread(() -> {
                try {
                    String nonce = notifications(other, 1).get(0).substring("parley_session_cancel|".length()).split(":")[0];
                    try (java.sql.Statement a = other.createStatement()) {
                        a.execute("NOTIFY parley_session_cancelled, '" + nonce + "'");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            answering.start();
            given().auth().oauth2(token).post("/api/v1/messages/" + stored + "/cancel").then().statusCode(202);
            answering.join();
        }
    }

    @Test
    void aSilentGatewayGetsHeartbeatsSentToTheClient() throws Exception {
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withFixedDelay(1200)
                        .withBody(OpenAiWire.fixture("chat-stream.sse"))));
        String body = given().auth().oauth2(token).contentType("application/json").accept("text/event-stream")
                .body("{\"content\":\"slow\"}").post("/api/v1/sessions/" + session + "/messages").asString();
        assertTrue(body.contains(": keep-alive"), body);
        assertTrue(body.contains("event: message.completed"));
    }

    private static String fullText() throws Exception {
        StringBuilder full = new StringBuilder();
        for (String c : OpenAiWire.sseDataLines(OpenAiWire.fixture("chat-stream.sse"))) {
            full.append(JSON.readTree(c).path("choices").path(0).path("delta").path("content").asText(""));
        }
        return full.toString();
    }


    /** The gateway's stream breaks off after some words: the reply is kept as partial, and the client gets an error. */
    @Test
    void aStreamThatBreaksOffEndsWithAnErrorEventAndAPartialReply() throws Exception {
        String sse = OpenAiWire.fixture("chat-stream.sse");
        String half = sse.substring(0, sse.indexOf("\n\n", sse.length() / 2) + 2); // whole events, no end
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .atPriority(1).willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withHeader("x-parley-deployment", MODEL).withBody(half)));
        HttpResponse<InputStream> resp = openStream(HttpClient.newHttpClient());
        assertEquals(200, resp.statusCode());
        String body = new String(resp.body().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(body.contains("event: delta"), body);
        assertFalse(body.contains("event: message.completed"), body);
        String last = body.substring(body.lastIndexOf("event: "));
        assertTrue(last.startsWith("event: error"), last);
        JsonNode error = JSON.readTree(last.substring(last.indexOf("data:") + 5).strip());
        assertEquals("STREAM_BROKEN", error.path("error").path("code").asText(), last);
        assertEquals("partial", error.path("message").path("status").asText(), last);
        JsonNode reply = reply();
        assertEquals("partial", reply.path("status").asText());
        assertFalse(reply.path("content").asText().isEmpty());
    }
}
