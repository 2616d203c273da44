package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
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
 * {@code "generate": false}: a message stored without asking the model (importing history, adding a note), a user
 * message or an imported assistant one, under its parent like any message, as the new active leaf; no gateway call,
 * no memory extraction, no title; JSON and multipart alike.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class StoredMessagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "openai/gpt-4o-mini";
    private UUID user;
    private String token;

    @BeforeEach
    void newUser() {
        AuthServiceStub.resetToDefaults();
        SessionStubs.memoryUp();
        user = UUID.randomUUID();
        token = Tokens.user(user, "importer");
        SessionStubs.gateway().stubFor(get(urlPathEqualTo("/v1/models/" + MODEL)).willReturn(okJson(
                "{\"id\":\"" + MODEL + "\",\"object\":\"model\",\"created\":0,\"owned_by\":\"x\",\"context_window\":128000}")));
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(OpenAiWire.fixture("chat-completion.json"))));
    }

    private String session() {
        return given().auth().oauth2(token).contentType("application/json").body("{\"model\":\"" + MODEL + "\"}").post("/api/v1/sessions")
                .then().statusCode(201).extract().jsonPath().getString("id");
    }

    private Response send(String session, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/sessions/" + session + "/messages");
    }

    private int gatewayCalls() {
        return SessionStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", equalTo(user.toString()))).size();
    }

    private String activeLeaf(String s) {
        return given().auth().oauth2(token).get("/api/v1/sessions/" + s).jsonPath().getString("active_leaf_id");
    }

    @Test
    void importedHistoryIsStoredWithoutTheModelAndATurnContinuesFromIt() throws Exception {
        String s = session();
        Response note = send(s, "{\"content\":\"What is the capital of France?\",\"generate\":false}");
        note.then().statusCode(201).body("assistant_message", nullValue());
        JsonPath u = note.jsonPath();
        assertEquals("user", u.getString("user_message.role"));
        assertEquals(null, u.getString("user_message.parent_message_id"));
        assertEquals(u.getString("user_message.id"), activeLeaf(s), "the active leaf moves to it");

        Response answer = send(s, "{\"content\":\"Paris.\",\"generate\":false,\"role\":\"assistant\",\"model_used\":\"openai/gpt-4\"}");
        answer.then().statusCode(201).body("user_message", nullValue());
        JsonPath a = answer.jsonPath();
        assertEquals("assistant", a.getString("assistant_message.role"));
        assertEquals("openai/gpt-4", a.getString("assistant_message.model_used"));
        assertEquals("complete", a.getString("assistant_message.status"));
        assertEquals(u.getString("user_message.id"), a.getString("assistant_message.parent_message_id"), "under the active leaf");
        assertEquals(a.getString("assistant_message.id"), activeLeaf(s));
        assertEquals(null, (Object) a.get("assistant_message.prompt_tokens"), "no usage");

        // nothing asked of the gateway or of memory-service's extraction
        assertEquals(0, gatewayCalls());
        Thread.sleep(300);
        assertTrue(SessionStubs.memory().findAll(postRequestedFor(urlPathEqualTo("/internal/v1/extract"))
                .withRequestBody(WireMock.containing(s))).isEmpty(), "no extraction of an imported exchange");
        assertEquals(null, given().auth().oauth2(token).get("/api/v1/sessions/" + s).jsonPath().getString("title"), "no title");

        // a generated turn goes on from the imported answer, with the imported history
        JsonPath t = send(s, "{\"content\":\"And of Italy?\"}").then().statusCode(201).extract().jsonPath();
        assertEquals(a.getString("assistant_message.id"), t.getString("user_message.parent_message_id"));
        JsonNode sent = JSON.readTree(SessionStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-Message-Id", WireMock.matching(".+")).withHeader("X-Parley-User", equalTo(user.toString())))
                .get(0).getBodyAsString());
        assertEquals("assistant", sent.path("messages").path(1).path("role").asText());
        assertEquals("Paris.", sent.path("messages").path(1).path("content").asText());

        // a note attached anywhere in the tree (parent_message_id), and a new root (null)
        JsonPath side = send(s, "{\"content\":\"a note\",\"generate\":false,\"parent_message_id\":\"" + u.getString("user_message.id") + "\"}")
                .then().statusCode(201).extract().jsonPath();
        assertEquals(u.getString("user_message.id"), side.getString("user_message.parent_message_id"));
        assertEquals(side.getString("user_message.id"), activeLeaf(s));
        send(s, "{\"content\":\"new root\",\"generate\":false,\"parent_message_id\":null}").then().statusCode(201)
                .body("user_message.parent_message_id", nullValue());
        assertEquals(6, given().auth().oauth2(token).queryParam("view", "tree").get("/api/v1/sessions/" + s + "/messages")
                .jsonPath().getList("data").size());
    }

    @Test
    void anImportedAnswerFollowingAnotherCannotBeRegenerated() {
        String s = session();
        send(s, "{\"content\":\"Greeting\",\"generate\":false,\"role\":\"assistant\"}").then().statusCode(201);
        String second = send(s, "{\"content\":\"More\",\"generate\":false,\"role\":\"assistant\"}").then().statusCode(201)
                .extract().jsonPath().getString("assistant_message.id");
        given().auth().oauth2(token).post("/api/v1/messages/" + second + "/regenerate").then().statusCode(400)
                .body("error.code", org.hamcrest.Matchers.equalTo("VALIDATION_FAILED"));
        assertEquals(0, gatewayCalls());
    }

    @Test
    void aFormAndAStreamTakeGenerateFalseToo() {
        String s = session();
        Response form = given().auth().oauth2(token).multiPart("content", "look at this").multiPart("generate", "false")
                .multiPart("image", "p.png", TurnTestImages.PNG, "image/png").post("/api/v1/sessions/" + s + "/messages");
        form.then().statusCode(201).body("assistant_message", nullValue());
        assertEquals(1, form.jsonPath().getList("user_message.attachments").size());
        given().auth().oauth2(token).multiPart("content", "An answer").multiPart("generate", "false").multiPart("role", "assistant")
                .multiPart("model_used", "me/by-hand").post("/api/v1/sessions/" + s + "/messages")
                .then().statusCode(201).body("assistant_message.model_used", org.hamcrest.Matchers.equalTo("me/by-hand"));
        String events = given().auth().oauth2(token).contentType("application/json").accept("text/event-stream")
                .body("{\"content\":\"streamed note\",\"generate\":false}").post("/api/v1/sessions/" + s + "/messages")
                .then().statusCode(200).extract().asString();
        assertTrue(events.startsWith("event: message.created") && !events.contains("event: delta")
                && !events.contains("message.completed"), events);
        assertEquals(0, gatewayCalls());
        assertEquals(3, given().auth().oauth2(token).queryParam("view", "tree").get("/api/v1/sessions/" + s + "/messages")
                .jsonPath().getList("data").size());
    }

    @Test
    void anIdempotentRetryAnswersTheStoredMessage() {
        String s = session();
        Response first = given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "import-1")
                .body("{\"content\":\"Paris.\",\"generate\":false,\"role\":\"assistant\"}").post("/api/v1/sessions/" + s + "/messages");
        first.then().statusCode(201);
        Response again = given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "import-1")
                .body("{\"content\":\"Paris.\",\"generate\":false,\"role\":\"assistant\"}").post("/api/v1/sessions/" + s + "/messages");
        again.then().statusCode(200).body("user_message", nullValue());
        assertEquals(first.jsonPath().getString("assistant_message.id"), again.jsonPath().getString("assistant_message.id"));
    }

    @Test
    void whatOnlyAGeneratedTurnTakesIsRefusedWithGenerateFalseAndTheOtherWayRound() {
        String s = session();
        for (String[] bad : List.of(
                new String[] {"{\"content\":\"x\",\"role\":\"assistant\"}", "role"},
                new String[] {"{\"content\":\"x\",\"model_used\":\"a/b\"}", "model_used"},
                new String[] {"{\"content\":\"x\",\"generate\":false,\"model_used\":\"a/b\"}", "model_used"},
                new String[] {"{\"content\":\"x\",\"generate\":false,\"model\":\"" + MODEL + "\"}", "model"},
                new String[] {"{\"content\":\"x\",\"generate\":false,\"llm_params\":{\"temperature\":1}}", "llm_params"},
                new String[] {"{\"content\":\"x\",\"generate\":false,\"thinking\":true}", "thinking"},
                new String[] {"{\"content\":\"x\",\"generate\":false,\"role\":\"system\"}", "role"},
                new String[] {"{\"content\":\"x\",\"generate\":\"no\"}", "generate"},
                new String[] {"{\"generate\":false}", "content"})) {
            send(s, bad[0]).then().statusCode(400).body("error.code", org.hamcrest.Matchers.equalTo("VALIDATION_FAILED"))
                    .body("error.details.fields." + bad[1], org.hamcrest.Matchers.notNullValue());
        }
        given().auth().oauth2(token).multiPart("content", "x").multiPart("generate", "false").multiPart("role", "assistant")
                .multiPart("image", "p.png", TurnTestImages.PNG, "image/png").post("/api/v1/sessions/" + s + "/messages")
                .then().statusCode(400).body("error.details.fields.image", org.hamcrest.Matchers.notNullValue());
        given().auth().oauth2(token).multiPart("content", "x").multiPart("generate", "maybe").post("/api/v1/sessions/" + s + "/messages")
                .then().statusCode(400).body("error.details.fields.generate", org.hamcrest.Matchers.notNullValue());
        assertTrue(given().auth().oauth2(token).queryParam("view", "tree").get("/api/v1/sessions/" + s + "/messages")
                .jsonPath().getList("data").isEmpty(), "nothing stored");
        assertEquals(0, gatewayCalls());
    }
}
