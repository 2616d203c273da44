package dev.parley.memory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
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

/**
 * EXPLICIT memory: a stretch of a session, sent by session-service ({@code POST /internal/v1/summaries}), summarised
 * into one summary memory. (The user-facing endpoint and its 404/400/503 cases are session-service's SummaryTest.)
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(MemoryStubs.class)
class SummaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private UUID user;
    private String token;
    private final String service = Tokens.service("session-service");
    private final UUID session = UUID.randomUUID();
    private final UUID m1 = UUID.randomUUID();
    private final UUID m2 = UUID.randomUUID();

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
    }

    private Map<String, Object> stretch() {
        return Map.of("user_id", user, "session_id", session, "from_message_id", m1, "messages", List.of(
                Map.of("id", m1, "role", "user", "content", "Let's plan the Lyon trip: trains, not planes."),
                Map.of("id", m2, "role", "assistant", "content", "The TGV from Paris takes two hours.")));
    }

    private void modelSummarises(String content) throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(OpenAiWire.fixture("chat-completion.json"));
        ((ObjectNode) body.path("choices").path(0).path("message")).put("content", content);
        MemoryStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", com.github.tomakehurst.wiremock.client.WireMock.equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(JSON.writeValueAsString(body))));
    }

    private Response summarize(Object body) {
        return given().auth().oauth2(service).contentType("application/json").body(body).post("/internal/v1/summaries");
    }

    @Test
    void aStretchOfASessionBecomesASummaryMemory() throws Exception {
        modelSummarises("{\"summary\":\"The user is planning a trip to Lyon and prefers trains to planes.\",\"keywords\":[\"Lyon\",\"travel\"]}");
        Response r = summarize(stretch());
        r.then().statusCode(201).body("type", equalTo("summary")).body("source", equalTo("explicit"))
                .body("scope", equalTo("session")).body("session_id", equalTo(session.toString()))
                .body("content", equalTo("The user is planning a trip to Lyon and prefers trains to planes."))
                .body("keywords", equalTo(List.of("lyon", "travel")))
                .body("related_message_ids", equalTo(List.of(m1.toString(), m2.toString())));
        String prompt = MemoryStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", com.github.tomakehurst.wiremock.client.WireMock.equalTo(user.toString()))).get(0).getBodyAsString();
        assertTrue(prompt.contains("user: Let's plan the Lyon trip") && prompt.contains("assistant: The TGV"), prompt);
        // and it is found again by its owner
        given().auth().oauth2(token).contentType("application/json").body("{\"query\":\"Lyon trip\",\"session_id\":\"" + session + "\"}")
                .post("/api/v1/memories/search").then().statusCode(200).body("data[0].memory.type", equalTo("summary"));
    }

    @Test
    void summariesAnswerClearErrors() throws Exception {
        summarize("{}").then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"));
        summarize("{\"user_id\":\"" + user + "\",\"session_id\":\"x\",\"messages\":[]}").then().statusCode(400);
        summarize("{\"user_id\":\"" + user + "\",\"session_id\":\"" + session + "\",\"messages\":[{\"id\":\"" + m1 + "\",\"role\":\"user\"}]}")
                .then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"));
        // nothing to summarise: 409
        summarize(Map.of("user_id", user, "session_id", session, "messages", List.of())).then().statusCode(409)
                .body("error.code", equalTo("NOTHING_TO_SUMMARIZE"));
        // a model answer that is not the JSON asked for: 502, nothing stored
        modelSummarises("I'd rather not.");
        summarize(stretch()).then().statusCode(502).body("error.code", equalTo("SUMMARY_FAILED"));
        assertTrue(given().auth().oauth2(token).get("/api/v1/memories").jsonPath().getList("data").isEmpty());
        // services only
        given().auth().oauth2(token).contentType("application/json").body(stretch()).post("/internal/v1/summaries").then().statusCode(403);
    }
}
