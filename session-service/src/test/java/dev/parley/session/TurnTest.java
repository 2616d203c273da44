package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Turns against a WireMock'd gateway (OpenAI's wire format) and memory-service: what the gateway is sent, what is
 * stored, branching, regenerating, history, idempotency, failures, streaming.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class TurnTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "openai/gpt-4o-mini";
    private UUID user;
    private String token;

    @BeforeEach
    void newUserWithStubs() {
        AuthServiceStub.resetToDefaults();
        SessionStubs.memoryUp();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
        model(MODEL, 128000);
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withHeader("x-parley-deployment", MODEL)
                        .withBody(OpenAiWire.fixture("chat-completion.json"))));
    }

    private void model(String id, int window) {
        SessionStubs.gateway().stubFor(get(urlPathEqualTo("/v1/models/" + id)).willReturn(okJson(
                "{\"id\":\"" + id + "\",\"object\":\"model\",\"created\":0,\"owned_by\":\"x\",\"context_window\":" + window
                        + ",\"max_output_tokens\":1000}")));
    }

    private String session(String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/sessions")
                .then().statusCode(201).extract().jsonPath().getString("id");
    }

    private Response send(String session, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/sessions/" + session + "/messages");
    }

    private List<JsonNode> gatewayCalls() {
        List<JsonNode> out = new ArrayList<>();
        // the turns' calls (they name the reply's message id); a session's title is asked without one
        for (LoggedRequest r : SessionStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", equalTo(user.toString()))
                .withHeader("X-Parley-Message-Id", com.github.tomakehurst.wiremock.client.WireMock.matching(".+")))) {
            out.add(json(r.getBodyAsString()));
        }
        return out;
    }

    private static List<String> texts(JsonNode messages) {
        List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.path("content").asText()));
        return out;
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTurnStoresBothMessagesAndTheReplysMetadata() {
        String s = session("{\"system_prompt\":\"Be brief.\",\"model\":\"" + MODEL + "\",\"llm_params\":{\"temperature\":0.2}}");
        SessionStubs.memory().stubFor(post(urlPathEqualTo("/internal/v1/context")).willReturn(okJson(
                "{\"memories\":[{\"id\":\"m-1\",\"content\":\"Likes tea\",\"score\":0.9}],\"text\":\"- Likes tea\"}")));
        Response r = send(s, "{\"content\":\"Hi there\"}");
        r.then().statusCode(201);
        JsonPath turn = r.jsonPath();
        assertEquals("user", turn.getString("user_message.role"));
        assertEquals("Hi there", turn.getString("user_message.content"));
        assertEquals(null, turn.getString("user_message.parent_message_id"));
        assertEquals("assistant", turn.getString("assistant_message.role"));
        assertEquals("Hello! How can I help you today?", turn.getString("assistant_message.content"));
        assertEquals(turn.getString("user_message.id"), turn.getString("assistant_message.parent_message_id"));
        assertEquals(MODEL, turn.getString("assistant_message.model_used"));
        assertEquals("openai", turn.getString("assistant_message.provider"));
        assertEquals(11, turn.getInt("assistant_message.prompt_tokens"));
        assertEquals(9, turn.getInt("assistant_message.completion_tokens"));
        assertEquals("stop", turn.getString("assistant_message.finish_reason"));
        assertEquals("complete", turn.getString("assistant_message.status"));
        assertEquals(List.of("m-1"), turn.getList("assistant_message.context.memory_ids"));
        assertEquals(false, turn.getBoolean("assistant_message.context.memory_unavailable"));

        LoggedRequest call = SessionStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", equalTo(user.toString()))).get(0);
        assertEquals(s, call.getHeader("X-Parley-Session-Id"));
        assertEquals(turn.getString("assistant_message.id"), call.getHeader("X-Parley-Message-Id"), "usage is attributed to the reply");
        assertTrue(call.getHeader("Authorization").startsWith("Bearer "));
        JsonNode sent = json(call.getBodyAsString());
        assertEquals(MODEL, sent.path("model").asText());
        assertEquals(0.2, sent.path("temperature").asDouble());
        assertEquals("system", sent.path("messages").path(0).path("role").asText());
        assertEquals("Be brief.", sent.path("messages").path(0).path("content").asText());
        assertTrue(sent.path("messages").path(1).path("content").asText().contains("Likes tea"), "memories after the system prompt");
        assertEquals("Hi there", sent.path("messages").path(2).path("content").asText());

        JsonPath session = given().auth().oauth2(token).get("/api/v1/sessions/" + s).jsonPath();
        assertEquals(turn.getString("assistant_message.id"), session.getString("active_leaf_id"));
    }

    @Test
    void historyTreeEditRegenerateAndBranchSwitching() {
        String s = session("{\"model\":\"" + MODEL + "\"}");
        JsonPath t1 = send(s, "{\"content\":\"first\"}").jsonPath();
        JsonPath t2 = send(s, "{\"content\":\"second\"}").jsonPath();
        assertEquals(t1.getString("assistant_message.id"), t2.getString("user_message.parent_message_id"), "continues the active branch");
        JsonNode secondCall = gatewayCalls().get(1);
        assertEquals(List.of("first", "Hello! How can I help you today?", "second"),
                texts(secondCall.path("messages")), "the branch's history goes to the gateway in order");

        // edit the second message: a sibling of it (same parent)
        JsonPath edit = send(s, "{\"content\":\"second, edited\",\"parent_message_id\":\"" + t1.getString("assistant_message.id") + "\"}").jsonPath();
        List<String> branch = given().auth().oauth2(token).get("/api/v1/sessions/" + s + "/messages").jsonPath().getList("data.content");
        assertEquals(List.of("first", "Hello! How can I help you today?", "second, edited", "Hello! How can I help you today?"), branch);
        assertEquals(6, given().auth().oauth2(token).queryParam("view", "tree").get("/api/v1/sessions/" + s + "/messages")
                .jsonPath().getList("data").size());

        // regenerate the edited turn's answer: a new sibling assistant message
        Response regen = given().auth().oauth2(token).post("/api/v1/messages/" + edit.getString("assistant_message.id") + "/regenerate");
        regen.then().statusCode(201);
        assertEquals(edit.getString("user_message.id"), regen.jsonPath().getString("parent_message_id"));
        assertNotEquals(edit.getString("assistant_message.id"), regen.jsonPath().getString("id"));
        assertEquals(regen.jsonPath().getString("id"),
                given().auth().oauth2(token).get("/api/v1/sessions/" + s).jsonPath().getString("active_leaf_id"));

        // history of the regenerated reply: root … it
        List<String> history = given().auth().oauth2(token).get("/api/v1/messages/" + regen.jsonPath().getString("id") + "/history")
                .jsonPath().getList("data.id");
        assertEquals(List.of(t1.getString("user_message.id"), t1.getString("assistant_message.id"), edit.getString("user_message.id"),
                regen.jsonPath().getString("id")), history);

        // switch back to the original second message: its newest leaf becomes active
        given().auth().oauth2(token).contentType("application/json").body("{\"message_id\":\"" + t2.getString("user_message.id") + "\"}")
                .put("/api/v1/sessions/" + s + "/active-leaf").then().statusCode(200);
        assertEquals(List.of("first", "Hello! How can I help you today?", "second", "Hello! How can I help you today?"),
                given().auth().oauth2(token).get("/api/v1/sessions/" + s + "/messages").jsonPath().getList("data.content"));

        // a new first message (parent null) starts a branch at the root
        JsonPath root = send(s, "{\"content\":\"start over\",\"parent_message_id\":null}").jsonPath();
        assertEquals(null, root.getString("user_message.parent_message_id"));
        assertEquals(List.of("start over"), texts(gatewayCalls().get(gatewayCalls().size() - 1).path("messages")));
    }

    @Test
    void theHistoryIsCutToTheWindowKeepingTheSystemPromptAndTheNewMessage() {
        model("openai/tiny", 200);
        String s = session("{\"model\":\"openai/tiny\",\"system_prompt\":\"SYSTEM\",\"llm_params\":{\"max_tokens\":50}}");
        String longText = "word ".repeat(60).trim();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(send(s, "{\"content\":\"" + i + " " + longText + "\"}").then().statusCode(201).extract().jsonPath().getString("user_message.id"));
        }
        JsonNode last = gatewayCalls().get(2);
        List<String> sent = texts(last.path("messages"));
        assertEquals("SYSTEM", sent.get(0));
        assertEquals("2 " + longText, sent.get(sent.size() - 1));
        assertTrue(sent.size() < 6, "older history dropped: " + sent.size());
        JsonPath reply = given().auth().oauth2(token).get("/api/v1/sessions/" + s + "/messages").jsonPath();
        List<String> dropped = reply.getList("data[-1].context.dropped_message_ids");
        assertTrue(dropped.contains(ids.get(0)), "the oldest message is named as dropped: " + dropped);
    }

    @Test
    void memoryServiceDownTheTurnStillSucceedsAndSaysSo() {
        SessionStubs.memory().resetAll(); // every call 404
        SessionStubs.memory().stubFor(post(urlPathEqualTo("/internal/v1/context")).willReturn(aResponse().withFixedDelay(3000).withStatus(200)));
        String s = session("{\"model\":\"" + MODEL + "\"}");
        long start = System.currentTimeMillis();
        JsonPath t = send(s, "{\"content\":\"hello\"}").then().statusCode(201).extract().jsonPath();
        assertTrue(System.currentTimeMillis() - start < 2500, "memory-timeout bounds the wait");
        assertEquals(true, t.getBoolean("assistant_message.context.memory_unavailable"));
        assertEquals("complete", t.getString("assistant_message.status"));
        String disabled = session("{\"model\":\"" + MODEL + "\",\"memory_mode\":\"DISABLED\"}");
        assertEquals(false, send(disabled, "{\"content\":\"hello\"}").jsonPath().getBoolean("assistant_message.context.memory_unavailable"));
    }

    @Test
    void autoModeHandsTheExchangeToMemoryService() throws Exception {
        String s = session("{\"model\":\"" + MODEL + "\"}");
        JsonPath t = send(s, "{\"content\":\"I live in Lyon\"}").jsonPath();
        long until = System.currentTimeMillis() + 5000;
        List<LoggedRequest> got;
        do {
            Thread.sleep(100);
            got = SessionStubs.memory().findAll(postRequestedFor(urlPathEqualTo("/internal/v1/extract"))
                    .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing(s)));
        } while (got.isEmpty() && System.currentTimeMillis() < until);
        assertEquals(1, got.size());
        JsonNode body = json(got.get(0).getBodyAsString());
        assertEquals(user.toString(), body.path("user_id").asText());
        assertEquals(t.getString("user_message.id"), body.path("messages").path(0).path("id").asText());
        assertEquals("I live in Lyon", body.path("messages").path(0).path("content").asText());
        assertEquals("assistant", body.path("messages").path(1).path("role").asText());
    }

    @Test
    void anUntitledSessionIsTitledAfterItsFirstExchange() throws Exception {
        String s = session("{\"model\":\"" + MODEL + "\"}");
        send(s, "{\"content\":\"Plan a weekend in Lyon {with} {{kids}} please\"}").then().statusCode(201);
        assertEquals("Hello! How can I help you today?", awaitTitle(s), "asked from the session's model through the gateway");
        // the AI service's call: service token acting for the user, usage attributed to the session, no message id
        List<LoggedRequest> asked = SessionStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-Session-Id", equalTo(s)));
        LoggedRequest titleCall = asked.stream().filter(r -> !r.containsHeader("X-Parley-Message-Id")).findFirst().orElseThrow();
        assertEquals(user.toString(), titleCall.getHeader("X-Parley-User"));
        String bearer = titleCall.getHeader("Authorization").substring("Bearer ".length());
        JsonNode claims = json(new String(java.util.Base64.getUrlDecoder().decode(bearer.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("service", claims.path("groups").path(0).asText(), "the service token, not a user's");
        JsonNode titleBody = json(titleCall.getBodyAsString());
        assertEquals(MODEL, titleBody.path("model").asText());
        assertEquals(2, titleBody.path("messages").size(), "no memory of earlier titles: " + titleBody);
        assertEquals("system", titleBody.path("messages").path(0).path("role").asText());
        assertTrue(titleBody.path("messages").path(0).path("content").asText().startsWith("Write a title"));
        assertEquals("User: Plan a weekend in Lyon {with} {{kids}} please\nAssistant: Hello! How can I help you today?",
                titleBody.path("messages").path(1).path("content").asText(), "the user's text is not read as a template");
        String echo = session("{\"model\":\"parley/echo\"}");
        send(echo, "{\"content\":\"Plan a weekend in Lyon with kids please\"}").then().statusCode(201);
        assertEquals("Plan a weekend in Lyon with", awaitTitle(echo), "the first words when no model can title it");
        String titled = session("{\"model\":\"" + MODEL + "\",\"title\":\"Mine\"}");
        send(titled, "{\"content\":\"hello\"}").then().statusCode(201);
        Thread.sleep(500);
        assertEquals("Mine", given().auth().oauth2(token).get("/api/v1/sessions/" + titled).jsonPath().getString("title"));
    }

    private String awaitTitle(String s) throws Exception {
        long until = System.currentTimeMillis() + 5000;
        String title;
        do {
            Thread.sleep(100);
            title = given().auth().oauth2(token).get("/api/v1/sessions/" + s).jsonPath().getString("title");
        } while (title == null && System.currentTimeMillis() < until);
        return title;
    }

    @Test
    void textCompletionIsATurnWithASessionAndStoresNothingWithout() {
        Response oneOff = given().auth().oauth2(token).contentType("application/json")
                .body("{\"text\":\"Say hello\",\"model\":\"" + MODEL + "\"}").post("/api/v1/llm/text-completion");
        oneOff.then().statusCode(200);
        assertEquals("Hello! How can I help you today?", oneOff.jsonPath().getString("text"));
        assertEquals(20, oneOff.jsonPath().getInt("usage.total_tokens"));
        assertTrue(given().auth().oauth2(token).get("/api/v1/sessions").jsonPath().getList("data").isEmpty());
        String s = session("{\"model\":\"" + MODEL + "\"}");
        Response turn = given().auth().oauth2(token).contentType("application/json")
                .body("{\"text\":\"Say hello\",\"session_id\":\"" + s + "\"}").post("/api/v1/llm/text-completion");
        turn.then().statusCode(201);
        assertEquals("Say hello", turn.jsonPath().getString("user_message.content"));
        given().auth().oauth2(token).contentType("application/json").body("{\"text\":\"\"}").post("/api/v1/llm/text-completion")
                .then().statusCode(400);
        given().auth().oauth2(token).contentType("application/json").body("[]").post("/api/v1/llm/text-completion")
                .then().statusCode(400);
    }

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'};

    @Test
    void aTurnWithImagesCanStream() {
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withHeader("x-parley-deployment", MODEL)
                        .withBody(OpenAiWire.fixture("chat-stream.sse"))));
        String s = session("{\"model\":\"" + MODEL + "\"}");
        Response r = given().auth().oauth2(token).accept("text/event-stream").multiPart("content", "What is in this picture?")
                .multiPart("image", "photo.png", PNG, "image/png").multiPart("llm_params", "{\"temperature\":0.1}")
                .post("/api/v1/sessions/" + s + "/messages");
        r.then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/event-stream"));
        String events = r.asString();
        assertTrue(events.startsWith("event: message.created"), events);
        assertTrue(events.contains("event: delta") && events.contains("event: message.completed"), events);
        JsonNode sent = gatewayCalls().get(0);
        assertTrue(sent.path("stream").asBoolean());
        assertEquals(0.1, sent.path("temperature").asDouble());
        JsonNode parts = sent.path("messages").get(sent.path("messages").size() - 1).path("content");
        assertEquals("What is in this picture?", parts.path(0).path("text").asText());
        assertTrue(parts.path(1).path("image_url").path("url").asText().startsWith("data:image/png;base64,"), parts.toString());
        // a fake image through the streaming path: the same 415 in the error shape, before any event, nothing stored
        given().auth().oauth2(token).accept("text/event-stream").multiPart("content", "look")
                .multiPart("image", "fake.png", "not an image".getBytes(), "image/png").post("/api/v1/sessions/" + s + "/messages")
                .then().statusCode(415).body("error.code", org.hamcrest.Matchers.equalTo("UNSUPPORTED_IMAGE"));
        assertEquals(2, given().auth().oauth2(token).queryParam("view", "tree").get("/api/v1/sessions/" + s + "/messages")
                .jsonPath().getList("data").size());
    }

    @Test
    void imagesTravelAsContentPartsAndAreCheckedByTheirBytes() {
        String s = session("{\"model\":\"" + MODEL + "\"}");
        Response r = given().auth().oauth2(token).multiPart("content", "What is in this picture?")
                .multiPart("image", "photo.png", PNG, "image/png").post("/api/v1/sessions/" + s + "/messages");
        r.then().statusCode(201);
        List<Object> refs = r.jsonPath().getList("user_message.attachments");
        assertEquals(1, refs.size());
        assertEquals("image/png", r.jsonPath().getString("user_message.attachments[0].media_type"));
        JsonNode sent = gatewayCalls().get(0).path("messages");
        JsonNode parts = sent.get(sent.size() - 1).path("content");
        assertEquals("text", parts.path(0).path("type").asText());
        assertEquals("What is in this picture?", parts.path(0).path("text").asText());
        assertEquals("data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(PNG),
                parts.path(1).path("image_url").path("url").asText());
        // the next turn still shows the model the image, as part of the history
        send(s, "{\"content\":\"And the colours?\"}").then().statusCode(201);
        assertEquals("image_url", gatewayCalls().get(1).path("messages").path(0).path("content").path(1).path("type").asText());
        // the image can be fetched back by its owner only
        String messageId = r.jsonPath().getString("user_message.id");
        String attachmentId = r.jsonPath().getString("user_message.attachments[0].id");
        byte[] back = given().auth().oauth2(token).get("/api/v1/messages/" + messageId + "/attachments/" + attachmentId)
                .then().statusCode(200).contentType("image/png").extract().asByteArray();
        assertEquals(java.util.Arrays.toString(PNG), java.util.Arrays.toString(back));
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "mallory")).get("/api/v1/messages/" + messageId + "/attachments/" + attachmentId)
                .then().statusCode(404);
        assertEquals(1, given().auth().oauth2(token).get("/api/v1/messages/" + messageId).jsonPath().getList("attachments").size());

        // a file named .png that is not one: 415, nothing stored
        given().auth().oauth2(token).multiPart("content", "look").multiPart("image", "fake.png", "GIF? no, text".getBytes(), "image/png")
                .post("/api/v1/sessions/" + s + "/messages").then().statusCode(415).body("error.code", org.hamcrest.Matchers.equalTo("UNSUPPORTED_IMAGE"));
        assertEquals(4, given().auth().oauth2(token).queryParam("view", "tree").get("/api/v1/sessions/" + s + "/messages")
                .jsonPath().getList("data").size());
    }

    @Test
    void anotherUserGets404OnEveryMessageEndpointBothWays() {
        String s = session("{\"model\":\"" + MODEL + "\"}");
        JsonPath t = send(s, "{\"content\":\"mine\"}").jsonPath();
        String userMsg = t.getString("user_message.id");
        String reply = t.getString("assistant_message.id");
        UUID otherId = UUID.randomUUID();
        String other = Tokens.user(otherId, "mallory");
        for (String path : List.of("/api/v1/messages/" + userMsg, "/api/v1/messages/" + reply + "/history",
                "/api/v1/sessions/" + s + "/messages", "/api/v1/sessions/" + s + "/messages?view=tree", "/api/v1/sessions/" + s,
                "/api/v1/sessions/" + s + "/events")) {
            given().auth().oauth2(other).get(path).then().statusCode(404);
        }
        given().auth().oauth2(other).post("/api/v1/messages/" + reply + "/regenerate").then().statusCode(404);
        given().auth().oauth2(other).post("/api/v1/messages/" + userMsg + "/cancel").then().statusCode(404);
        given().auth().oauth2(other).contentType("application/json").body("{\"message_id\":\"" + userMsg + "\"}")
                .put("/api/v1/sessions/" + s + "/active-leaf").then().statusCode(404);
        given().auth().oauth2(other).contentType("application/json").body("{\"text\":\"x\",\"session_id\":\"" + s + "\"}")
                .post("/api/v1/llm/text-completion").then().statusCode(404);
        // and the other way: the other user's own session is invisible to the first, and cannot be a parent
        String theirs = given().auth().oauth2(other).contentType("application/json").body("{}").post("/api/v1/sessions")
                .then().statusCode(201).extract().jsonPath().getString("id");
        given().auth().oauth2(token).get("/api/v1/sessions/" + theirs).then().statusCode(404);
        given().auth().oauth2(other).contentType("application/json")
                .body("{\"content\":\"x\",\"parent_message_id\":\"" + userMsg + "\"}")
                .post("/api/v1/sessions/" + theirs + "/messages").then().statusCode(404);
        assertTrue(given().auth().oauth2(other).get("/api/v1/sessions").jsonPath().getList("data.id").equals(List.of(theirs)));
    }

    @Test
    void imageCompletionIsOneOffWithoutASessionAndATurnWithOne() {
        Response oneOff = given().auth().oauth2(token).multiPart("prompt", "What is it?").multiPart("model", MODEL)
                .multiPart("image", "p.png", PNG, "image/png").post("/api/v1/llm/image-completion");
        oneOff.then().statusCode(200);
        assertEquals("Hello! How can I help you today?", oneOff.jsonPath().getString("text"));
        JsonNode sent = json(SessionStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", equalTo(user.toString()))).get(0).getBodyAsString());
        assertEquals("image_url", sent.at("/messages/0/content/1/type").asText());
        assertTrue(given().auth().oauth2(token).get("/api/v1/sessions").jsonPath().getList("data").isEmpty(), "stores nothing");

        String s = session("{\"model\":\"" + MODEL + "\"}");
        Response turn = given().auth().oauth2(token).multiPart("session_id", s).multiPart("image", "p.png", PNG, "image/png")
                .post("/api/v1/llm/image-completion");
        turn.then().statusCode(201);
        assertEquals("Describe this image.", turn.jsonPath().getString("user_message.content"));
        assertEquals(1, turn.jsonPath().getList("user_message.attachments").size());
        given().auth().oauth2(token).multiPart("prompt", "x").post("/api/v1/llm/image-completion").then().statusCode(400);
        given().auth().oauth2(token).multiPart("image", "p.png", "not an image".getBytes(), "image/png")
                .post("/api/v1/llm/image-completion").then().statusCode(415);
    }

    @Test
    void anIdempotentRetryReturnsTheFirstTurnWithoutCallingTheGatewayAgain() {
        String s = session("{\"model\":\"" + MODEL + "\"}");
        Response first = given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "turn-1")
                .body("{\"content\":\"once\"}").post("/api/v1/sessions/" + s + "/messages");
        first.then().statusCode(201);
        Response again = given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "turn-1")
                .body("{\"content\":\"once\"}").post("/api/v1/sessions/" + s + "/messages");
        again.then().statusCode(200);
        assertEquals(first.jsonPath().getString("user_message.id"), again.jsonPath().getString("user_message.id"));
        assertEquals(first.jsonPath().getString("assistant_message.id"), again.jsonPath().getString("assistant_message.id"));
        assertEquals(1, gatewayCalls().size());
    }

    @Test
    void aRefusedCallLeavesNothingBehindAndAFailedOneIsStoredAsAnError() {
        String s = session("{\"model\":\"nobody/x\"}");
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.model", equalTo("nobody/x")))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json").withBody(
                        "{\"error\":{\"message\":\"The model 'nobody/x' does not exist\",\"type\":\"invalid_request_error\",\"param\":\"model\",\"code\":\"model_not_found\"}}")));
        send(s, "{\"content\":\"hi\"}").then().statusCode(404);
        assertEquals("MODEL_NOT_FOUND", send(s, "{\"content\":\"hi\"}").jsonPath().getString("error.code"));
        assertTrue(given().auth().oauth2(token).queryParam("view", "tree").get("/api/v1/sessions/" + s + "/messages")
                .jsonPath().getList("data").isEmpty(), "no half-written turn");

        String broken = session("{\"model\":\"openai/broken\"}");
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.model", equalTo("openai/broken")))
                .willReturn(aResponse().withStatus(502).withHeader("Content-Type", "application/json").withBody(
                        "{\"error\":{\"message\":\"No deployment could serve\",\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_unavailable\"}}")));
        JsonPath t = send(broken, "{\"content\":\"hi\"}").then().statusCode(201).extract().jsonPath();
        assertEquals("error", t.getString("assistant_message.status"));
        assertEquals("UPSTREAM_UNAVAILABLE", t.getString("assistant_message.error.code"));
        send(broken, "{\"content\":\"\"}").then().statusCode(400);
        send(broken, "{\"content\":\"x\",\"parent_message_id\":\"" + UUID.randomUUID() + "\"}").then().statusCode(404);
    }

    @Test
    void aStreamedTurnSendsCreatedDeltasAndCompletedAndStoresTheReply() {
        String s = session("{\"model\":\"" + MODEL + "\"}");
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withHeader("x-parley-deployment", MODEL)
                        .withBody(OpenAiWire.fixture("chat-stream.sse"))));
        Response r = given().auth().oauth2(token).contentType("application/json").accept("text/event-stream")
                .body("{\"content\":\"stream please\"}").post("/api/v1/sessions/" + s + "/messages");
        r.then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/event-stream"));
        String body = r.asString();
        List<String> events = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        JsonNode completed = null;
        String event = null;
        for (String line : body.split("\n")) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
                events.add(event);
            } else if (line.startsWith("data: ")) {
                JsonNode d = json(line.substring(6));
                if ("delta".equals(event)) {
                    text.append(d.path("text").asText());
                } else if ("message.completed".equals(event)) {
                    completed = d;
                }
            }
        }
        assertEquals("message.created", events.get(0));
        assertEquals("message.completed", events.get(events.size() - 1));
        assertTrue(events.contains("delta"));
        StringBuilder expected = new StringBuilder();
        for (String c : OpenAiWire.sseDataLines(OpenAiWire.fixture("chat-stream.sse"))) {
            expected.append(json(c).path("choices").path(0).path("delta").path("content").asText(""));
        }
        assertEquals(expected.toString(), text.toString());
        assertEquals(expected.toString(), completed.path("content").asText());
        assertEquals("complete", completed.path("status").asText());
        assertTrue(completed.path("ttft_ms").isNumber());
        JsonPath stored = given().auth().oauth2(token).get("/api/v1/messages/" + completed.path("id").asText()).jsonPath();
        assertEquals(expected.toString(), stored.getString("content"));
        assertFalse(gatewayCalls().isEmpty());
        assertTrue(gatewayCalls().get(0).path("stream").asBoolean());
    }
}
