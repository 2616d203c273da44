package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reply's {@code context.memory_extraction} says whether AUTO extraction was queued (and with which model: the
 * session's, or memory-service's own setting, which wins) or why it did not run; the exchange goes to memory-service
 * with the model and the reply's id; a GET of the message later shows what memory-service recorded.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class ExtractionStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "openai/gpt-4o-mini";
    private UUID user;
    private String token;

    @BeforeEach
    void newUser() {
        AuthServiceStub.resetToDefaults();
        SessionStubs.memoryUp();
        user = UUID.randomUUID();
        token = Tokens.user(user, "rememberer");
        for (String m : List.of(MODEL, "parley/echo", "openai/broken")) {
            SessionStubs.gateway().stubFor(get(urlPathEqualTo("/v1/models/" + m)).willReturn(okJson(
                    "{\"id\":\"" + m + "\",\"object\":\"model\",\"created\":0,\"owned_by\":\"x\",\"context_window\":128000}")));
        }
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(OpenAiWire.fixture("chat-completion.json"))));
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .withRequestBody(matchingJsonPath("$.model", equalTo("openai/broken")))
                .willReturn(aResponse().withStatus(502).withHeader("Content-Type", "application/json").withBody(
                        "{\"error\":{\"message\":\"down\",\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_unavailable\"}}")));
    }

    private String session(String mode, String model) {
        return given().auth().oauth2(token).contentType("application/json")
                .body("{\"memory_mode\":\"" + mode + "\",\"model\":\"" + model + "\",\"title\":\"t\"}").post("/api/v1/sessions")
                .then().statusCode(201).extract().jsonPath().getString("id");
    }

    private JsonPath turn(String session) {
        return given().auth().oauth2(token).contentType("application/json").body("{\"content\":\"I live in Lyon\"}")
                .post("/api/v1/sessions/" + session + "/messages").then().statusCode(201).extract().jsonPath();
    }

    private List<LoggedRequest> extractsOf(String session) throws Exception {
        long until = System.currentTimeMillis() + 3000;
        List<LoggedRequest> got;
        do {
            Thread.sleep(100);
            got = SessionStubs.memory().findAll(postRequestedFor(urlPathEqualTo("/internal/v1/extract")).withRequestBody(WireMock.containing(session)));
        } while (got.isEmpty() && System.currentTimeMillis() < until);
        return got;
    }

    private void memoryAdminModel(String model) {
        SessionStubs.memory().stubFor(post(urlPathEqualTo("/internal/v1/context")).willReturn(okJson(
                "{\"memories\":[],\"text\":\"\",\"extraction_model\":" + (model == null ? "null" : "\"" + model + "\"") + "}")));
    }

    @Test
    void anAutoTurnIsQueuedWithTheSessionsModelAndTheExchangeSaysWhichAndForWhichReply() throws Exception {
        String s = session("AUTO", MODEL);
        JsonPath t = turn(s);
        assertEquals(Map.of("status", "queued", "model", MODEL), t.getMap("assistant_message.context.memory_extraction"));
        JsonNode sent = JSON.readTree(extractsOf(s).get(0).getBodyAsString());
        assertEquals(MODEL, sent.path("model").asText(), "the session's model: extraction is metered to the user");
        assertEquals(t.getString("assistant_message.id"), sent.path("message_id").asText());
        assertEquals(user.toString(), sent.path("user_id").asText());
    }

    @Test
    void memoryServicesOwnModelWinsEvenForASessionOnABuiltIn() throws Exception {
        memoryAdminModel("openai/extractor");
        String s = session("AUTO", "parley/echo");
        JsonPath t = turn(s);
        assertEquals(Map.of("status", "queued", "model", "openai/extractor"), t.getMap("assistant_message.context.memory_extraction"));
        assertEquals(1, extractsOf(s).size());
    }

    @Test
    void whyItDidNotRunIsSaid() throws Exception {
        String echo = session("AUTO", "parley/echo");
        assertEquals(Map.of("status", "skipped", "reason", "model_cannot_extract"),
                turn(echo).getMap("assistant_message.context.memory_extraction"));
        String explicit = session("EXPLICIT", MODEL);
        assertEquals(Map.of("status", "skipped", "reason", "memory_mode_not_auto"),
                turn(explicit).getMap("assistant_message.context.memory_extraction"));
        String disabled = session("DISABLED", MODEL);
        assertEquals(Map.of("status", "skipped", "reason", "memory_mode_not_auto"),
                turn(disabled).getMap("assistant_message.context.memory_extraction"));
        String broken = session("AUTO", "openai/broken");
        JsonPath failed = turn(broken);
        assertEquals("error", failed.getString("assistant_message.status"));
        assertEquals(Map.of("status", "skipped", "reason", "reply_not_complete"), failed.getMap("assistant_message.context.memory_extraction"));
        for (String s : List.of(echo, explicit, disabled, broken)) {
            assertTrue(extractsOf(s).isEmpty(), "nothing handed over for " + s);
        }
    }

    @Test
    void memoryServiceUnavailableTheTurnIsQueuedAndMemoryServiceDecidesLater() throws Exception {
        SessionStubs.memory().resetAll();
        SessionStubs.memory().stubFor(post(urlPathEqualTo("/internal/v1/extract")).willReturn(aResponse().withStatus(202)));
        String s = session("AUTO", "parley/echo");
        JsonPath t = turn(s);
        assertEquals(Map.of("status", "queued"), t.getMap("assistant_message.context.memory_extraction"),
                "memory-service's own model is not known: it decides");
        assertEquals("parley/echo", JSON.readTree(extractsOf(s).get(0).getBodyAsString()).path("model").asText());
    }

    @Test
    void aGetOfTheReplyShowsWhatMemoryServiceRecorded() {
        String s = session("AUTO", MODEL);
        String reply = turn(s).getString("assistant_message.id");
        // not recorded yet (404): still queued, as stored
        assertEquals("queued", given().auth().oauth2(token).get("/api/v1/messages/" + reply).jsonPath()
                .getString("context.memory_extraction.status"));
        SessionStubs.memory().stubFor(get(urlPathEqualTo("/internal/v1/extractions/" + reply)).withQueryParam("user_id", equalTo(user.toString()))
                .willReturn(okJson("{\"status\":\"done\",\"model\":\"" + MODEL + "\",\"attempts\":1,\"added\":1,\"updated\":0,"
                        + "\"updated_at\":\"2026-01-01T00:00:00Z\"}")));
        JsonPath m = given().auth().oauth2(token).get("/api/v1/messages/" + reply).then().statusCode(200).extract().jsonPath();
        assertEquals("done", m.getString("context.memory_extraction.status"));
        assertEquals(1, m.getInt("context.memory_extraction.added"));
        // a skipped one is not asked about again
        String echo = session("AUTO", "parley/echo");
        String echoReply = turn(echo).getString("assistant_message.id");
        assertEquals("skipped", given().auth().oauth2(token).get("/api/v1/messages/" + echoReply).jsonPath()
                .getString("context.memory_extraction.status"));
        assertTrue(SessionStubs.memory().findAll(WireMock.getRequestedFor(urlPathEqualTo("/internal/v1/extractions/" + echoReply))).isEmpty());
    }
}
