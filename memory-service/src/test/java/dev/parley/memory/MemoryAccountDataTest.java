package dev.parley.memory;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.memory.repository.OutcomeRepository;
import dev.parley.memory.service.MemoryAccountData;
import dev.parley.testsupport.DatabaseTraces;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An account's deletion and export in memory-service: nothing of the user remains in any table that names a user
 * (found through information_schema, so a table added later is covered) nor in the history of their memories, another
 * user's data stays whole, deleting twice is harmless; the export holds the user's memories with their history and
 * the extractions' outcomes, and nobody else's.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(MemoryStubs.class)
class MemoryAccountDataTest {
    @Inject
    MemoryAccountData data;
    @Inject
    OutcomeRepository outcomes;
    @Inject
    DataSource db;

    private UUID alice;
    private UUID bob;
    private List<String> aliceMemories;

    @BeforeEach
    void twoUsersWithMemoriesHistoryAndOutcomes() {
        AuthServiceStub.resetToDefaults();
        alice = UUID.randomUUID();
        bob = UUID.randomUUID();
        aliceMemories = new ArrayList<>();
        for (UUID u : List.of(alice, bob)) {
            String token = Tokens.user(u, "u");
            for (String content : List.of("Lives in Paris", "Plays the cello")) {
                String id = given().auth().oauth2(token).contentType("application/json").body(Map.of("content", content))
                        .post("/api/v1/memories").then().statusCode(201).extract().path("id");
                if (u.equals(alice)) {
                    aliceMemories.add(id);
                }
            }
            String first = given().auth().oauth2(token).get("/api/v1/memories").then().statusCode(200).extract().path("data[-1].id");
            given().auth().oauth2(token).contentType("application/json").body(Map.of("content", "Lives in Lyon"))
                    .patch("/api/v1/memories/" + first).then().statusCode(200); // an earlier content in the history
            UUID session = UUID.randomUUID();
            QuarkusTransaction.requiringNew().run(() -> outcomes.record(UUID.randomUUID(), u, session, "skipped", "no_model", null));
        }
    }

    @Test
    void aDeletedAccountLeavesNothingOfTheUserAndAnotherUsersDataStays() throws Exception {
        Object[] aliceAndHerMemories = java.util.stream.Stream.concat(java.util.stream.Stream.of(alice),
                aliceMemories.stream().map(UUID::fromString)).toArray();
        Map<String, Long> before = DatabaseTraces.rowsHolding(db, aliceAndHerMemories);
        for (String col : List.of("memories.user_id", "memory_history.memory_id", "memory_versions.user_id", "extraction_outcomes.user_id")) {
            assertTrue(before.containsKey(col), "the fixture wrote " + col + ": " + before);
        }
        Map<String, Long> bobBefore = DatabaseTraces.rowsHolding(db, bob);

        data.delete(alice);
        assertEquals(Map.of(), DatabaseTraces.rowsHolding(db, aliceAndHerMemories), "nothing of the user left");
        assertEquals(bobBefore, DatabaseTraces.rowsHolding(db, bob), "another user's data stays");
        data.delete(alice); // idempotent
        assertEquals(Map.of(), DatabaseTraces.rowsHolding(db, aliceAndHerMemories));
        given().auth().oauth2(Tokens.user(alice, "alice")).get("/api/v1/memories").then().statusCode(200)
                .body("data", org.hamcrest.Matchers.empty());
        given().auth().oauth2(Tokens.user(alice, "alice")).contentType("application/json").body(Map.of("query", "where does the user live"))
                .post("/api/v1/memories/search").then().statusCode(200).body("data", org.hamcrest.Matchers.empty());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theExportHoldsTheUsersMemoriesWithTheirHistoryAndNobodyElses() {
        Map<String, Object> files = new LinkedHashMap<>();
        data.export(alice, files::put);
        assertEquals(List.of("memories.json", "extractions.json"), List.copyOf(files.keySet()));
        List<Map<String, Object>> memories = (List<Map<String, Object>>) ((Map<String, Object>) files.get("memories.json")).get("data");
        assertEquals(aliceMemories.stream().sorted().toList(), memories.stream().map(m -> m.get("id").toString()).sorted().toList());
        Map<String, Object> moved = memories.stream().filter(m -> "Lives in Lyon".equals(m.get("content"))).findFirst().orElseThrow();
        List<Map<String, Object>> history = (List<Map<String, Object>>) moved.get("history");
        assertEquals(1, history.size());
        assertTrue(!memories.toString().contains("embedding="), "no embeddings in an export");
        List<Map<String, Object>> extractions = (List<Map<String, Object>>) ((Map<String, Object>) files.get("extractions.json")).get("data");
        assertEquals(1, extractions.size());
        assertEquals("no_model", extractions.get(0).get("reason"));
    }
}
