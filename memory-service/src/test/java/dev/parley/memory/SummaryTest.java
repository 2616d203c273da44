package dev.parley.memory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** EXPLICIT memory: a stretch of a session, read from session-service, summarised into one summary memory. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(MemoryStubs.class)
class SummaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private UUID user;
    private String token;
    private final UUID session = UUID.randomUUID();
    private final UUID m1 = UUID.randomUUID();
    private final UUID m2 = UUID.randomUUID();

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
    }

    private void conversation() {
        MemoryStubs.session().stubFor(get(urlPathEqualTo("/internal/v1/sessions/" + session + "/messages"))
                .withQueryParam("user_id", com.github.tomakehurst.wiremock.client.WireMock.equalTo(user.toString()))
                .willReturn(okJson("{\"data\":[{\"id\":\"" + m1 + "\",\"role\":\"user\",\"content\":\"Let's plan the Lyon trip: trains, not planes.\","
                        + "\"created_at\":\"2026-11-30T10:00:00Z\"},{\"id\":\"" + m2 + "\",\"role\":\"assistant\",\"content\":\"The TGV from Paris takes two hours.\","
                        + "\"created_at\":\"2026-11-30T10:00:05Z\"}]}")));
    }

    private void modelSummarises(String content) throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(OpenAiWire.fixture("chat-completion.json"));
        ((ObjectNode) body.path("choices").path(0).path("message")).put("content", content);
        MemoryStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", com.github.tomakehurst.wiremock.client.WireMock.equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(JSON.writeValueAsString(body))));
    }

    private Response summarize(String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/memories/summarize");
    }

    @Test
    void aStretchOfASessionBecomesASummaryMemory() throws Exception {
        conversation();
        modelSummarises("{\"summary\":\"The user is planning a trip to Lyon and prefers trains to planes.\",\"keywords\":[\"Lyon\",\"travel\"]}");
        Response r = summarize("{\"session_id\":\"" + session + "\",\"from_message_id\":\"" + m1 + "\"}");
        r.then().statusCode(201).body("type", equalTo("summary")).body("source", equalTo("explicit"))
                .body("scope", equalTo("session")).body("session_id", equalTo(session.toString()))
                .body("content", equalTo("The user is planning a trip to Lyon and prefers trains to planes."))
                .body("keywords", equalTo(List.of("lyon", "travel")))
                .body("related_message_ids", equalTo(List.of(m1.toString(), m2.toString())));
        var read = MemoryStubs.session().findAll(getRequestedFor(urlPathEqualTo("/internal/v1/sessions/" + session + "/messages")));
        assertEquals(m1.toString(), read.get(read.size() - 1).queryParameter("from_message_id").firstValue());
        String prompt = MemoryStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", com.github.tomakehurst.wiremock.client.WireMock.equalTo(user.toString()))).get(0).getBodyAsString();
        assertTrue(prompt.contains("user: Let's plan the Lyon trip") && prompt.contains("assistant: The TGV"), prompt);
        // and it is found again
        given().auth().oauth2(token).contentType("application/json").body("{\"query\":\"Lyon trip\",\"session_id\":\"" + session + "\"}")
                .post("/api/v1/memories/search").then().statusCode(200).body("data[0].memory.type", equalTo("summary"));
    }

    @Test
    void summariesAnswerClearErrors() throws Exception {
        summarize("{}").then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"));
        summarize("{\"session_id\":\"x\"}").then().statusCode(400);
        // a session that is not the user's: session-service's 404 passed on
        MemoryStubs.session().stubFor(get(urlPathEqualTo("/internal/v1/sessions/" + session + "/messages"))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"SESSION_NOT_FOUND\",\"message\":\"No such session.\",\"details\":{}},\"request_id\":\"r\"}")));
        summarize("{\"session_id\":\"" + session + "\"}").then().statusCode(404).body("error.code", equalTo("SESSION_NOT_FOUND"));
        // session-service down: 503, nothing stored
        MemoryStubs.session().stubFor(get(urlPathEqualTo("/internal/v1/sessions/" + session + "/messages"))
                .willReturn(aResponse().withStatus(503)));
        summarize("{\"session_id\":\"" + session + "\"}").then().statusCode(503).body("error.code", equalTo("SESSION_SERVICE_UNAVAILABLE"));
        // a model answer that is not the JSON asked for: 502, nothing stored
        conversation();
        modelSummarises("I'd rather not.");
        summarize("{\"session_id\":\"" + session + "\"}").then().statusCode(502).body("error.code", equalTo("SUMMARY_FAILED"));
        assertTrue(given().auth().oauth2(token).get("/api/v1/memories").jsonPath().getList("data").isEmpty());
    }
}
