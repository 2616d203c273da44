package dev.parley.memory;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.memory.repository.OutcomeRepository;
import dev.parley.memory.service.MemoryAccountData;
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

    private long count(String sql, Object... params) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private List<String> tablesWithAUser() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select table_name from information_schema.columns where table_schema = current_schema() and column_name = 'user_id' "
                        + "order by table_name"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Rows of {@code user} in each table naming a user, and the history of the given memories. */
    private Map<String, Long> rowsOf(UUID user, List<String> memories) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String table : tablesWithAUser()) {
            out.put(table, count("select count(*) from " + table + " where user_id = ?", user));
        }
        long history = 0;
        for (String m : memories) {
            history += count("select count(*) from memory_history where memory_id = ?", UUID.fromString(m));
        }
        out.put("memory_history by memory", history);
        return out;
    }

    @Test
    void aDeletedAccountLeavesNothingOfTheUserAndAnotherUsersDataStays() throws Exception {
        List<String> tables = tablesWithAUser();
        assertTrue(tables.containsAll(List.of("extraction_outcomes", "memories", "memory_versions")), tables.toString());
        Map<String, Long> before = rowsOf(alice, aliceMemories);
        before.forEach((table, n) -> assertTrue(n > 0, "the fixture wrote " + table + ": " + before));
        Map<String, Long> bobBefore = rowsOf(bob, List.of());

        data.delete(alice);
        rowsOf(alice, aliceMemories).forEach((table, n) -> assertEquals(0L, n, "nothing of the user left in " + table));
        assertEquals(bobBefore, rowsOf(bob, List.of()), "another user's data stays");
        data.delete(alice); // idempotent
        rowsOf(alice, aliceMemories).forEach((table, n) -> assertEquals(0L, n, table));
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
