package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/v1/sessions/{id}/summarize}: session-service reads the stretch of the branch and sends it to
 * memory-service's {@code POST /internal/v1/summaries}, which writes the summary memory; its answer is the reply.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class SummaryTest {
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
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(OpenAiWire.fixture("chat-completion.json"))));
    }

    private void memoryAnswers(int status, String body) {
        SessionStubs.memory().stubFor(post(urlPathEqualTo("/internal/v1/summaries"))
                .withRequestBody(matchingJsonPath("$.user_id", equalTo(user.toString())))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private String session() {
        return given().auth().oauth2(token).contentType("application/json").body("{\"model\":\"" + MODEL + "\",\"memory_mode\":\"EXPLICIT\"}")
                .post("/api/v1/sessions").then().statusCode(201).extract().jsonPath().getString("id");
    }

    private String turn(String session, String content) {
        return given().auth().oauth2(token).contentType("application/json").body("{\"content\":\"" + content + "\"}")
                .post("/api/v1/sessions/" + session + "/messages").then().statusCode(201).extract().path("user_message.id");
    }

    private Response summarize(String session, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/sessions/" + session + "/summarize");
    }

    private JsonNode lastSent() throws Exception {
        List<LoggedRequest> sent = SessionStubs.memory().findAll(postRequestedFor(urlPathEqualTo("/internal/v1/summaries"))
                .withRequestBody(matchingJsonPath("$.user_id", equalTo(user.toString()))));
        return JSON.readTree(sent.get(sent.size() - 1).getBodyAsString());
    }

    private static List<String> texts(JsonNode sent, String field) {
        List<String> out = new ArrayList<>();
        sent.path("messages").forEach(m -> out.add(m.path(field).asText()));
        return out;
    }

    private static void error(ValidatableResponse r, int status, String code) {
        r.statusCode(status).body("error.code", org.hamcrest.Matchers.equalTo(code))
                .body("request_id", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void theStretchGoesToMemoryServiceAndItsSummaryMemoryIsTheAnswer() throws Exception {
        String s = session();
        String first = turn(s, "one");
        String second = turn(s, "two");
        String memoryId = UUID.randomUUID().toString();
        memoryAnswers(201, "{\"id\":\"" + memoryId + "\",\"content\":\"The user counted to two.\",\"scope\":\"session\",\"session_id\":\"" + s
                + "\",\"type\":\"summary\",\"keywords\":[\"counting\"],\"importance\":0.6,\"source\":\"explicit\",\"related_message_ids\":[\""
                + first + "\",\"" + second + "\"],\"created_at\":\"2026-11-30T10:00:00Z\",\"updated_at\":\"2026-11-30T10:00:00Z\","
                + "\"last_used_at\":null,\"expires_at\":null,\"embedded\":true}");

        Response all = summarize(s, "{}");
        all.then().statusCode(201).body("id", org.hamcrest.Matchers.equalTo(memoryId))
                .body("type", org.hamcrest.Matchers.equalTo("summary")).body("source", org.hamcrest.Matchers.equalTo("explicit"))
                .body("content", org.hamcrest.Matchers.equalTo("The user counted to two."))
                .body("related_message_ids", org.hamcrest.Matchers.equalTo(List.of(first, second)));
        JsonNode sent = lastSent();
        assertEquals(s, sent.path("session_id").asText());
        assertEquals(List.of("user", "assistant", "user", "assistant"), texts(sent, "role"));
        assertEquals(List.of("one", "Hello! How can I help you today?", "two", "Hello! How can I help you today?"), texts(sent, "content"));
        assertEquals(first, sent.path("messages").path(0).path("id").asText());
        assertTrue(sent.path("from_message_id").isMissingNode() && sent.path("to_message_id").isMissingNode(), sent.toString());
        LoggedRequest call = SessionStubs.memory().findAll(postRequestedFor(urlPathEqualTo("/internal/v1/summaries"))).get(0);
        assertTrue(call.getHeader("Authorization").startsWith("Bearer "), "the service token");

        summarize(s, "{\"from_message_id\":\"" + second + "\"}").then().statusCode(201);
        sent = lastSent();
        assertEquals(List.of("two", "Hello! How can I help you today?"), texts(sent, "content"));
        assertEquals(second, sent.path("from_message_id").asText());
        summarize(s, "{\"to_message_id\":\"" + first + "\"}").then().statusCode(201);
        assertEquals(List.of("one"), texts(lastSent(), "content"));
        // {} is the whole active branch; a null body is a 400 (a body says what to summarise)
        error(summarize(s, "null").then(), 400, "VALIDATION_FAILED");
    }

    @Test
    void summariesAnswerClearErrorsAndStoreNothingHere() {
        String s = session();
        String first = turn(s, "one");
        String second = turn(s, "two");
        // from after to: not on the way
        error(summarize(s, "{\"from_message_id\":\"" + second + "\",\"to_message_id\":\"" + first + "\"}").then(), 400, "VALIDATION_FAILED");
        summarize(s, "{\"from_message_id\":\"x\"}").then().statusCode(400);
        // another user's session, or a message that is not in this session: 404 as for a missing one
        String other = Tokens.user(UUID.randomUUID(), "mallory");
        error(given().auth().oauth2(other).contentType("application/json").body("{}").post("/api/v1/sessions/" + s + "/summarize").then(),
                404, "SESSION_NOT_FOUND");
        error(summarize(UUID.randomUUID().toString(), "{}").then(), 404, "SESSION_NOT_FOUND");
        String elsewhere = turn(session(), "elsewhere");
        error(summarize(s, "{\"from_message_id\":\"" + elsewhere + "\"}").then(), 404, "MESSAGE_NOT_FOUND");
        error(summarize(s, "{\"to_message_id\":\"" + UUID.randomUUID() + "\"}").then(), 404, "MESSAGE_NOT_FOUND");
        // an empty session has nothing to summarise (memory-service is not asked)
        error(summarize(session(), "{}").then(), 409, "NOTHING_TO_SUMMARIZE");
        // memory-service's own refusals are passed on
        memoryAnswers(503, "{\"error\":{\"code\":\"NO_SUMMARY_MODEL\",\"message\":\"No model is configured to write summaries.\",\"details\":{}},\"request_id\":\"r\"}");
        error(summarize(s, "{}").then(), 503, "NO_SUMMARY_MODEL");
        memoryAnswers(502, "{\"error\":{\"code\":\"SUMMARY_FAILED\",\"message\":\"The model did not return a usable summary.\",\"details\":{}},\"request_id\":\"r\"}");
        error(summarize(s, "{}").then(), 502, "SUMMARY_FAILED");
        // memory-service down (an endpoint it does not have yet counts as down): a clear 503
        SessionStubs.memory().resetAll();
        error(summarize(s, "{}").then(), 503, "MEMORY_SERVICE_UNAVAILABLE");
        SessionStubs.memory().stubFor(post(urlPathEqualTo("/internal/v1/summaries"))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        error(summarize(s, "{}").then(), 503, "MEMORY_SERVICE_UNAVAILABLE");
    }
}
