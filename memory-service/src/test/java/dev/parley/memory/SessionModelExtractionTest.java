package dev.parley.memory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AUTO extraction with no operator-set model ({@code parley.memory.extraction-model} unset): the model session-service
 * proposes (the session's) extracts, acting for the user; none, or one of Parley's built-ins, skips with the reason;
 * each outcome (queued, done, failed after the attempts, skipped) is recorded by the reply's id and read back on
 * {@code GET /internal/v1/extractions/{message_id}}, for the reply's user only.
 */
@QuarkusTest
// no extraction model: the module's only profile (see there). Named to run after GatewayEmbeddingsTest in that
// application: its race-free start relies on the embedding job not having run yet (10 s after start)
@TestProfile(GatewayEmbeddingsTest.Profile.class)
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(MemoryStubs.class)
class SessionModelExtractionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SESSION_MODEL = "anthropic/claude-3-5-haiku";
    private final String service = Tokens.service("session-service");
    private final UUID session = UUID.randomUUID();
    private UUID user;

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
    }

    private void modelAnswers(String decisions) throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(OpenAiWire.fixture("chat-completion.json"));
        ((ObjectNode) body.path("choices").path(0).path("message")).put("content", decisions);
        MemoryStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(user.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(JSON.writeValueAsString(body))));
    }

    /** Hands over an exchange whose reply is {@code reply}, proposing {@code model} (null: none). */
    private Response exchange(UUID reply, String model) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user_id", user);
        body.put("session_id", session);
        body.put("message_id", reply);
        if (model != null) {
            body.put("model", model);
        }
        body.put("messages", List.of(Map.of("id", UUID.randomUUID(), "role", "user", "content", "My cat is called Miso."),
                Map.of("id", reply, "role", "assistant", "content", "A fine name.")));
        return given().auth().oauth2(service).contentType("application/json").body(body).post("/internal/v1/extract");
    }

    private Response outcome(UUID reply, UUID of) {
        return given().auth().oauth2(service).queryParam("user_id", of).get("/internal/v1/extractions/" + reply);
    }

    /** The outcome once it is no longer queued. */
    private Response settled(UUID reply) throws Exception {
        long until = System.currentTimeMillis() + 15_000;
        Response r = outcome(reply, user);
        while ((r.statusCode() != 200 || "queued".equals(r.path("status"))) && System.currentTimeMillis() < until) {
            Thread.sleep(100);
            r = outcome(reply, user);
        }
        return r;
    }

    private List<LoggedRequest> calls() {
        return MemoryStubs.gateway().findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withHeader("X-Parley-User", equalTo(user.toString())));
    }

    @Test
    void theSessionsModelExtractsActingForTheUserAndTheOutcomeIsRecorded() throws Exception {
        modelAnswers("{\"memories\":[{\"action\":\"ADD\",\"content\":\"The user's cat is called Miso\"}]}");
        UUID reply = UUID.randomUUID();
        exchange(reply, SESSION_MODEL).then().statusCode(202).body("status", org.hamcrest.Matchers.equalTo("queued"));
        settled(reply).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("done"))
                .body("model", org.hamcrest.Matchers.equalTo(SESSION_MODEL))
                .body("added", org.hamcrest.Matchers.equalTo(1))
                .body("attempts", org.hamcrest.Matchers.equalTo(1));
        assertEquals(SESSION_MODEL, JSON.readTree(calls().get(0).getBodyAsString()).path("model").asText(),
                "the session's model, metered to the user (X-Parley-User)");
        given().auth().oauth2(Tokens.user(user, "u")).get("/api/v1/memories").then().statusCode(200)
                .body("data.content", org.hamcrest.Matchers.hasItem("The user's cat is called Miso"));
    }

    @Test
    void withNoModelOrABuiltInTheExchangeIsSkippedWithTheReason() {
        UUID none = UUID.randomUUID();
        exchange(none, null).then().statusCode(202).body("status", org.hamcrest.Matchers.equalTo("skipped"))
                .body("reason", org.hamcrest.Matchers.equalTo("no_model"));
        outcome(none, user).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("skipped"))
                .body("reason", org.hamcrest.Matchers.equalTo("no_model"));
        UUID echo = UUID.randomUUID();
        exchange(echo, "parley/echo").then().statusCode(202).body("status", org.hamcrest.Matchers.equalTo("skipped"))
                .body("reason", org.hamcrest.Matchers.equalTo("model_cannot_extract"));
        outcome(echo, user).then().statusCode(200).body("reason", org.hamcrest.Matchers.equalTo("model_cannot_extract"))
                .body("model", org.hamcrest.Matchers.equalTo("parley/echo"));
        assertTrue(calls().isEmpty(), "no model was asked");
    }

    @Test
    void anExtractionThatKeepsFailingIsRecordedAsFailedAfterTheAttempts() throws Exception {
        modelAnswers("Sorry, I cannot help with that.");
        UUID reply = UUID.randomUUID();
        exchange(reply, SESSION_MODEL).then().statusCode(202);
        settled(reply).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("failed"))
                .body("reason", org.hamcrest.Matchers.equalTo("attempts"))
                .body("attempts", org.hamcrest.Matchers.equalTo(3));
    }

    @Test
    void anOutcomeIsTheReplysUsersOnlyAndServicesOnly() {
        UUID reply = UUID.randomUUID();
        exchange(reply, null).then().statusCode(202);
        outcome(reply, UUID.randomUUID()).then().statusCode(404).body("error.code", org.hamcrest.Matchers.equalTo("EXTRACTION_NOT_FOUND"));
        outcome(UUID.randomUUID(), user).then().statusCode(404);
        given().auth().oauth2(service).get("/internal/v1/extractions/" + reply).then().statusCode(400);
        given().auth().oauth2(Tokens.user(user, "u")).queryParam("user_id", user).get("/internal/v1/extractions/" + reply)
                .then().statusCode(403);
    }
}
