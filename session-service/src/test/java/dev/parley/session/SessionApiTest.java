package dev.parley.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sessions: create, read, change, list (newest first, keyset pages, title filter), delete; only the owner sees one. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class SessionApiTest {
    private UUID user;
    private String token;

    @BeforeEach
    void newUser() {
        AuthServiceStub.resetToDefaults();
        SessionStubs.memoryUp();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
    }

    private Response create(String token, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/sessions");
    }

    @Test
    void aSessionIsCreatedWithItsSettingsAndReadBack() {
        Response r = create(token, """
                {"title":"Trip","system_prompt":"You are a travel agent.","memory_mode":"EXPLICIT","model":"openai/gpt-4o-mini",
                 "llm_params":{"temperature":0.3},"metadata":{"tag":"x"}}""");
        r.then().statusCode(201).body("title", equalTo("Trip")).body("memory_mode", equalTo("EXPLICIT"))
                .body("llm_params.temperature", equalTo(0.3f)).body("metadata.tag", equalTo("x"))
                .body("active_leaf_id", nullValue());
        String id = r.jsonPath().getString("id");
        given().auth().oauth2(token).get("/api/v1/sessions/" + id).then().statusCode(200)
                .body("system_prompt", equalTo("You are a travel agent.")).body("model", equalTo("openai/gpt-4o-mini"));
        given().auth().oauth2(token).contentType("application/json").body("{\"title\":\"Trip 2\",\"system_prompt\":null}")
                .patch("/api/v1/sessions/" + id).then().statusCode(200).body("title", equalTo("Trip 2"))
                .body("system_prompt", nullValue()).body("memory_mode", equalTo("EXPLICIT"));
        Response defaults = create(token, "{}");
        defaults.then().statusCode(201).body("memory_mode", equalTo("AUTO")).body("title", nullValue());
    }

    @Test
    void badInputIsA400NamingTheField() {
        Map<String, List<String>> cases = Map.of(
                "{\"memory_mode\":\"SOMETIMES\"}", List.of("memory_mode", "memory_mode must be AUTO, EXPLICIT or DISABLED."),
                "{\"title\":5}", List.of("title", "wrong type or format"),
                "{\"system_prompt\":\"" + "x".repeat(100_001) + "\"}", List.of("system_prompt", "system_prompt must be a string of at most 100000 characters."),
                "{\"llm_params\":[1]}", List.of("llm_params", "llm_params must be an object."),
                "{\"titel\":\"typo\"}", List.of("titel", "unknown field"));
        cases.forEach((body, field) -> create(token, body).then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"))
                .body("error.message", containsString(field.get(0)))
                .body("error.details.fields", equalTo(Map.of(field.get(0), field.get(1)))));
        create(token, "[]").then().statusCode(400).body("error.code", equalTo("INVALID_JSON"));
        create(token, "{not json").then().statusCode(400);
        given().contentType("application/json").body("{}").post("/api/v1/sessions").then().statusCode(401);
    }

    @Test
    void anotherUsersSessionIsNotFoundLikeAMissingOne() {
        String id = create(token, "{\"title\":\"mine\"}").jsonPath().getString("id");
        String other = Tokens.user(UUID.randomUUID(), "mallory");
        given().auth().oauth2(other).get("/api/v1/sessions/" + id).then().statusCode(404).body("error.code", equalTo("SESSION_NOT_FOUND"));
        given().auth().oauth2(other).contentType("application/json").body("{\"title\":\"x\"}").patch("/api/v1/sessions/" + id)
                .then().statusCode(404);
        given().auth().oauth2(other).delete("/api/v1/sessions/" + id).then().statusCode(404);
        given().auth().oauth2(other).get("/api/v1/sessions/" + id + "/messages").then().statusCode(404);
        given().auth().oauth2(other).contentType("application/json").body("{\"content\":\"hi\"}")
                .post("/api/v1/sessions/" + id + "/messages").then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/sessions/" + UUID.randomUUID()).then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/sessions/not-a-uuid").then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/sessions/" + id).then().statusCode(200);
    }

    @Test
    void theListIsNewestFirstInKeysetPagesAndFiltersByTitle() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(create(token, "{\"title\":\"" + (i % 2 == 0 ? "Paris trip " : "Work ") + i + "\"}").jsonPath().getString("id"));
        }
        create(Tokens.user(UUID.randomUUID(), "bob"), "{\"title\":\"Paris of someone else\"}");
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonPath page = given().auth().oauth2(token).queryParam("limit", 2)
                    .queryParam("cursor", cursor == null ? "" : cursor).get("/api/v1/sessions").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("data.id"));
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        List<String> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, seen);
        List<String> paris = given().auth().oauth2(token).queryParam("title", "PARIS").get("/api/v1/sessions")
                .then().statusCode(200).extract().jsonPath().getList("data.title");
        assertEquals(List.of("Paris trip 4", "Paris trip 2", "Paris trip 0"), paris);
        given().auth().oauth2(token).queryParam("cursor", "garbage").get("/api/v1/sessions").then().statusCode(400);
    }

    @Test
    void deletingASessionAsksMemoryServiceToDropItsMemoriesUntilItSucceeds() throws Exception {
        String id = create(token, "{\"title\":\"gone\"}").jsonPath().getString("id");
        SessionStubs.memory().stubFor(WireMock.delete(WireMock.urlPathEqualTo("/internal/v1/sessions/" + id))
                .inScenario("flaky").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(WireMock.aResponse().withStatus(503)).willSetStateTo("up"));
        SessionStubs.memory().stubFor(WireMock.delete(WireMock.urlPathEqualTo("/internal/v1/sessions/" + id))
                .inScenario("flaky").whenScenarioStateIs("up").willReturn(WireMock.aResponse().withStatus(204)));
        given().auth().oauth2(token).delete("/api/v1/sessions/" + id).then().statusCode(204);
        given().auth().oauth2(token).get("/api/v1/sessions/" + id).then().statusCode(404);
        long until = System.currentTimeMillis() + 20_000;
        int calls;
        do {
            Thread.sleep(200);
            calls = SessionStubs.memory().findAll(WireMock.deleteRequestedFor(WireMock.urlPathEqualTo("/internal/v1/sessions/" + id))).size();
        } while (calls < 2 && System.currentTimeMillis() < until);
        assertEquals(2, calls, "failed once, retried until it succeeded");
        var req = SessionStubs.memory().findAll(WireMock.deleteRequestedFor(WireMock.urlPathEqualTo("/internal/v1/sessions/" + id))).get(1);
        assertEquals(user.toString(), req.queryParameter("user_id").firstValue());
        assertTrue(req.getHeader("Authorization").startsWith("Bearer "));
        Thread.sleep(600);
        assertEquals(2, SessionStubs.memory().findAll(WireMock.deleteRequestedFor(WireMock.urlPathEqualTo("/internal/v1/sessions/" + id))).size(),
                "not sent again once confirmed");
    }
}
