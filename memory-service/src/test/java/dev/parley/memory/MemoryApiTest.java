package dev.parley.memory;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Memories as their owner writes them: create, read, change (with history), list with filters and pages, delete. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(MemoryStubs.class)
class MemoryApiTest {
    private String token;
    private UUID user;

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
    }

    private Response create(String t, String body) {
        return given().auth().oauth2(t).contentType("application/json").body(body).post("/api/v1/memories");
    }

    @Test
    void aMemoryIsCreatedEmbeddedReadChangedWithHistoryAndDeleted() {
        Response r = create(token, """
                {"content":"Alice is allergic to peanuts","type":"fact","keywords":["Allergy","food"],"importance":0.9}""");
        r.then().statusCode(201).body("scope", equalTo("user")).body("session_id", equalTo(null)).body("source", equalTo("manual"))
                .body("keywords", equalTo(List.of("allergy", "food"))).body("importance", equalTo(0.9f))
                .body("embedded", equalTo(true)).body("created_at", notNullValue());
        String id = r.jsonPath().getString("id");
        given().auth().oauth2(token).get("/api/v1/memories/" + id).then().statusCode(200)
                .body("content", equalTo("Alice is allergic to peanuts"));
        given().auth().oauth2(token).contentType("application/json").body("{\"content\":\"Alice is allergic to peanuts and cashews\",\"importance\":1}")
                .patch("/api/v1/memories/" + id).then().statusCode(200)
                .body("content", equalTo("Alice is allergic to peanuts and cashews")).body("importance", equalTo(1.0f))
                .body("type", equalTo("fact"));
        given().auth().oauth2(token).get("/api/v1/memories/" + id + "/history").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].content", equalTo("Alice is allergic to peanuts"))
                .body("data[0].source", equalTo("manual"));
        given().auth().oauth2(token).delete("/api/v1/memories/" + id).then().statusCode(204);
        given().auth().oauth2(token).get("/api/v1/memories/" + id).then().statusCode(404).body("error.code", equalTo("MEMORY_NOT_FOUND"));
    }

    @Test
    void badInputIsA400InTheErrorShapeAndNothingIsStored() {
        for (String body : List.of("{}", "{\"content\":\"  \"}", "{\"content\":5}", "{\"content\":\"x\",\"scope\":\"team\"}",
                "{\"content\":\"x\",\"importance\":\"0.5\"}", "{\"content\":\"x\",\"colour\":\"red\"}",
                "{\"content\":\"x\",\"scope\":\"session\"}", "{\"content\":\"x\",\"type\":\"gossip\"}",
                "{\"content\":\"x\",\"importance\":1.5}", "{\"content\":\"x\",\"keywords\":\"a\"}",
                "{\"content\":\"x\",\"session_id\":\"nope\"}", "{\"content\":\"x\",\"expires_at\":\"tomorrow\"}",
                "{\"content\":\"" + "a".repeat(8001) + "\"}")) {
            create(token, body).then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"))
                    .body("request_id", notNullValue());
        }
        Map<String, List<String>> named = Map.of("{\"content\":5}", List.of("content", "wrong type or format"),
                "{\"content\":\"x\",\"session_id\":\"nope\"}", List.of("session_id", "wrong type or format"),
                "{\"content\":\"x\",\"importance\":\"0.5\"}", List.of("importance", "wrong type or format"),
                "{\"content\":\"x\",\"importance\":1.5}", List.of("importance", "importance is a number from 0 to 1."),
                "{\"content\":\"x\",\"colour\":\"red\"}", List.of("colour", "unknown field"));
        named.forEach((body, field) -> create(token, body).then().statusCode(400)
                .body("error.details.fields", equalTo(Map.of(field.get(0), field.get(1)))));
        create(token, "[]").then().statusCode(400).body("error.code", equalTo("INVALID_JSON"));
        given().auth().oauth2(token).contentType("application/json").body("{not json").post("/api/v1/memories").then().statusCode(400)
                .body("error.code", equalTo("MALFORMED_JSON"));
        given().auth().oauth2(token).get("/api/v1/memories?limit=0").then().statusCode(400);
        given().auth().oauth2(token).get("/api/v1/memories?limit=abc").then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"));
        given().auth().oauth2(token).get("/api/v1/memories?cursor=bogus").then().statusCode(400);
        given().auth().oauth2(token).get("/api/v1/memories").then().statusCode(200).body("data", hasSize(0));
    }

    @Test
    void onlyTheOwnerSeesAMemoryAndAnotherSessionsMemoriesStayOut() {
        String id = create(token, "{\"content\":\"mine: the garage code is 4411\"}").jsonPath().getString("id");
        UUID s1 = UUID.randomUUID();
        UUID s2 = UUID.randomUUID();
        String inS1 = create(token, "{\"content\":\"the garage code in session one is 9876\",\"session_id\":\"" + s1 + "\"}")
                .jsonPath().getString("id");
        String other = Tokens.user(UUID.randomUUID(), "bob");
        given().auth().oauth2(other).get("/api/v1/memories/" + id).then().statusCode(404);
        given().auth().oauth2(other).contentType("application/json").body("{\"content\":\"x\"}").patch("/api/v1/memories/" + id)
                .then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/memories/" + id).then().body("content", equalTo("mine: the garage code is 4411"));
        // search: another user finds nothing; session two never sees session one's memory; session one sees both
        given().auth().oauth2(other).contentType("application/json").body("{\"query\":\"garage code\"}")
                .post("/api/v1/memories/search").then().statusCode(200).body("data", hasSize(0));
        given().auth().oauth2(token).contentType("application/json").body("{\"query\":\"garage code\",\"session_id\":\"" + s2 + "\"}")
                .post("/api/v1/memories/search").then().statusCode(200).body("data.memory.id", equalTo(List.of(id)));
        given().auth().oauth2(token).contentType("application/json").body("{\"query\":\"garage code\"}")
                .post("/api/v1/memories/search").then().statusCode(200).body("data.memory.id", equalTo(List.of(id)));
        assertEquals(java.util.Set.of(id, inS1), java.util.Set.copyOf(given().auth().oauth2(token).contentType("application/json")
                .body("{\"query\":\"garage code\",\"session_id\":\"" + s1 + "\"}").post("/api/v1/memories/search")
                .then().statusCode(200).extract().jsonPath().getList("data.memory.id")));
        given().auth().oauth2(other).delete("/api/v1/memories/" + id).then().statusCode(404);
        given().auth().oauth2(other).get("/api/v1/memories/" + id + "/history").then().statusCode(404);
        given().auth().oauth2(other).get("/api/v1/memories").then().statusCode(200).body("data", hasSize(0));
        given().auth().oauth2(token).get("/api/v1/memories/not-a-uuid").then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/memories/" + id).then().statusCode(200);
    }

    @Test
    void listsFilterBySessionScopeTypeAndKeywordNewestFirstInPages() {
        UUID s1 = UUID.randomUUID();
        UUID s2 = UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(create(token, "{\"content\":\"user fact " + i + "\",\"keywords\":[\"k" + (i % 2) + "\"]}").jsonPath().getString("id"));
        }
        create(token, "{\"content\":\"in s1\",\"session_id\":\"" + s1 + "\",\"type\":\"episode\"}").then().statusCode(201)
                .body("scope", equalTo("session"));
        create(token, "{\"content\":\"in s2\",\"scope\":\"session\",\"session_id\":\"" + s2 + "\"}").then().statusCode(201);
        given().auth().oauth2(token).get("/api/v1/memories?session_id=" + s1).then().body("data.content", equalTo(List.of("in s1")));
        given().auth().oauth2(token).get("/api/v1/memories?scope=session").then().body("data", hasSize(2));
        given().auth().oauth2(token).get("/api/v1/memories?type=episode").then().body("data.content", equalTo(List.of("in s1")));
        given().auth().oauth2(token).get("/api/v1/memories?keyword=K1").then().body("data", hasSize(2));
        given().auth().oauth2(token).get("/api/v1/memories?keyword=fact 3").then().body("data.content", equalTo(List.of("user fact 3")));
        // pages of 3 over the user-scoped ones, newest first, every one once
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            var page = given().auth().oauth2(token).queryParam("scope", "user").queryParam("limit", 3)
                    .queryParam("cursor", cursor == null ? "" : cursor).get("/api/v1/memories").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("data.id"));
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        List<String> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, seen);
    }

    @Test
    void deletingASessionDropsItsMemoriesOnlyAndOnlyForServices() {
        UUID s1 = UUID.randomUUID();
        create(token, "{\"content\":\"in s1\",\"session_id\":\"" + s1 + "\"}").then().statusCode(201);
        create(token, "{\"content\":\"shared\"}").then().statusCode(201);
        given().auth().oauth2(token).delete("/internal/v1/sessions/" + s1 + "?user_id=" + user).then().statusCode(403);
        given().auth().oauth2(Tokens.service("session-service")).delete("/internal/v1/sessions/" + s1 + "?user_id=" + user)
                .then().statusCode(204);
        given().auth().oauth2(Tokens.service("session-service")).delete("/internal/v1/sessions/" + s1 + "?user_id=" + user)
                .then().statusCode(204);
        given().auth().oauth2(token).get("/api/v1/memories").then().body("data.content", equalTo(List.of("shared")));
        given().auth().oauth2(Tokens.service("session-service")).delete("/internal/v1/sessions/" + s1 + "?user_id=x")
                .then().statusCode(400);
    }

    @Test
    void aPatchMovesAMemoryIntoASessionAndClearsItsExpiry() {
        UUID s1 = UUID.randomUUID();
        String id = create(token, "{\"content\":\"temporary\",\"expires_at\":\"2099-01-01T00:00:00Z\"}").jsonPath().getString("id");
        // left out: unchanged (only a null clears it)
        given().auth().oauth2(token).contentType("application/json").body("{\"importance\":0.3}")
                .patch("/api/v1/memories/" + id).then().statusCode(200).body("expires_at", equalTo("2099-01-01T00:00:00Z"));
        given().auth().oauth2(token).contentType("application/json").body("{\"session_id\":\"" + s1 + "\",\"expires_at\":null}")
                .patch("/api/v1/memories/" + id).then().statusCode(200).body("scope", equalTo("session"))
                .body("session_id", equalTo(s1.toString())).body("expires_at", equalTo(null));
        given().auth().oauth2(token).contentType("application/json").body("{\"scope\":\"user\"}")
                .patch("/api/v1/memories/" + id).then().statusCode(200).body("scope", equalTo("user")).body("session_id", equalTo(null));
    }

    @Test
    void aMemoryExpiresFromRetrievalButStaysListed() {
        create(token, "{\"content\":\"The parking code is 4411\",\"expires_at\":\"2020-01-01T00:00:00Z\"}").then().statusCode(201);
        var hits = given().auth().oauth2(token).contentType("application/json").body("{\"query\":\"parking code\"}")
                .post("/api/v1/memories/search").then().statusCode(200).extract().jsonPath().getList("data");
        assertTrue(hits.isEmpty());
        assertNull(given().auth().oauth2(token).get("/api/v1/memories").jsonPath().getString("next_cursor"));
        assertEquals(1, given().auth().oauth2(token).get("/api/v1/memories").jsonPath().getList("data").size());
    }
}
