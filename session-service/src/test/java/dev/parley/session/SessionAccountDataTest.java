package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.parley.platform.account.AccountJobs;
import dev.parley.session.service.SessionAccountData;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.DatabaseTraces;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An account's deletion and export in session-service: nothing of the user remains in any table that names a user
 * (found through information_schema, so a table added later is covered) nor in the tables keyed by the user's
 * sessions, another user's data stays whole, deleting twice is harmless; the export holds the user's sessions,
 * messages and images, and nobody else's.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class SessionAccountDataTest {
    private static final String MODEL = "openai/gpt-4o-mini";

    @Inject
    SessionAccountData data;
    @Inject
    AccountJobs jobs;
    @Inject
    DataSource db;

    private UUID alice;
    private UUID bob;
    private List<UUID> aliceSessions;
    private UUID aliceDeleted;

    @BeforeEach
    void twoUsersWithSessionsMessagesImagesAndOwedWork() {
        AuthServiceStub.resetToDefaults();
        SessionStubs.memoryUp();
        // memory-service refuses extractions and deletions for now: both outboxes keep rows for the users
        SessionStubs.memory().stubFor(post(urlPathEqualTo("/internal/v1/extract")).willReturn(aResponse().withStatus(503)));
        SessionStubs.memory().stubFor(WireMock.delete(WireMock.urlPathMatching("/internal/v1/sessions/.*")).willReturn(aResponse().withStatus(503)));
        SessionStubs.gateway().stubFor(get(urlPathEqualTo("/v1/models/" + MODEL)).willReturn(okJson(
                "{\"id\":\"" + MODEL + "\",\"object\":\"model\",\"created\":0,\"owned_by\":\"x\",\"context_window\":128000}")));
        alice = UUID.randomUUID();
        bob = UUID.randomUUID();
        aliceSessions = new ArrayList<>();
        for (UUID u : List.of(alice, bob)) {
            SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(u.toString()))
                    .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(OpenAiWire.fixture("chat-completion.json"))));
            String token = Tokens.user(u, "u");
            for (int i = 0; i < 2; i++) {
                String s = given().auth().oauth2(token).contentType("application/json")
                        .body("{\"model\":\"" + MODEL + "\",\"title\":\"s" + i + "\"}").post("/api/v1/sessions")
                        .then().statusCode(201).extract().path("id");
                given().auth().oauth2(token).contentType("application/json").body("{\"content\":\"I live in Lyon\"}")
                        .post("/api/v1/sessions/" + s + "/messages").then().statusCode(201);
                given().auth().oauth2(token).multiPart("content", "a picture").multiPart("image", "p.png", TurnTestImages.PNG, "image/png")
                        .post("/api/v1/sessions/" + s + "/messages").then().statusCode(201);
                if (u.equals(alice)) {
                    aliceSessions.add(UUID.fromString(s));
                }
            }
            String gone = given().auth().oauth2(token).contentType("application/json").body("{\"model\":\"" + MODEL + "\",\"title\":\"g\"}")
                    .post("/api/v1/sessions").then().statusCode(201).extract().path("id");
            given().auth().oauth2(token).contentType("application/json").body("{\"content\":\"soon gone\"}")
                    .post("/api/v1/sessions/" + gone + "/messages").then().statusCode(201);
            given().auth().oauth2(token).delete("/api/v1/sessions/" + gone).then().statusCode(204); // a memory deletion owed
            if (u.equals(alice)) {
                aliceDeleted = UUID.fromString(gone);
            }
        }
    }

    @Test
    void aDeletedAccountLeavesNothingOfTheUserAndAnotherUsersDataStays() throws Exception {
        List<UUID> everySession = new ArrayList<>(aliceSessions);
        everySession.add(aliceDeleted);
        assertEquals(0, count("select count(*) from session_events where session_id = ?", aliceDeleted),
                "a deleted session's events go with it");
        Object[] aliceAndHerSessions = java.util.stream.Stream.concat(java.util.stream.Stream.of(alice), everySession.stream()).toArray();
        Map<String, Long> before = DatabaseTraces.rowsHolding(db, aliceAndHerSessions);
        for (String col : List.of("sessions.user_id", "messages.session_id", "attachments.user_id", "memory_extractions.user_id",
                "memory_deletions.user_id", "session_events.session_id")) {
            assertTrue(before.containsKey(col), "the fixture wrote " + col + ": " + before);
        }
        Map<String, Long> bobBefore = DatabaseTraces.rowsHolding(db, bob);

        data.delete(alice);
        assertEquals(Map.of(), DatabaseTraces.rowsHolding(db, aliceAndHerSessions), "nothing of the user left");
        assertEquals(bobBefore, DatabaseTraces.rowsHolding(db, bob), "another user's data stays");
        data.delete(alice); // idempotent: a retry or another replica changes nothing and does not fail
        assertEquals(Map.of(), DatabaseTraces.rowsHolding(db, aliceAndHerSessions));
        given().auth().oauth2(Tokens.user(alice, "alice")).get("/api/v1/sessions").then().statusCode(200)
                .body("data", org.hamcrest.Matchers.empty());
        assertTrue(SessionStubs.memory().findAll(WireMock.deleteRequestedFor(WireMock.urlPathMatching("/internal/v1/sessions/.*"))
                .withQueryParam("user_id", equalTo(alice.toString()))).stream()
                .noneMatch(r -> aliceSessions.stream().anyMatch(s -> r.getUrl().contains(s.toString()))), "memory-service is asked nothing");
    }

    @Test
    void theAccountJobFromAuthServiceRunsTheDeletion() throws Exception {
        UUID job = UUID.randomUUID();
        AuthServiceStub.server().stubFor(get(urlPathEqualTo("/internal/v1/account-jobs")).willReturn(okJson(
                "{\"data\":[{\"id\":\"" + job + "\",\"kind\":\"delete\",\"user_id\":\"" + alice + "\",\"created_at\":\"2026-01-01T00:00:00Z\"}]}")));
        AuthServiceStub.server().stubFor(post(urlPathEqualTo("/internal/v1/account-jobs/" + job + "/done")).willReturn(aResponse().withStatus(204)));
        assertEquals(1, jobs.runPending());
        assertEquals(0, count("select count(*) from sessions where user_id = ?", alice));
        assertEquals(1, AuthServiceStub.server().findAll(WireMock.postRequestedFor(urlPathEqualTo("/internal/v1/account-jobs/" + job + "/done"))).size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theExportHoldsTheUsersSessionsMessagesAndImagesAndNobodyElses() throws Exception {
        Map<String, Object> files = new LinkedHashMap<>();
        data.export(alice, files::put);
        List<String> names = List.copyOf(files.keySet());
        assertEquals("sessions.json", names.get(0));
        assertTrue(names.contains("messages-0001.json"), names.toString());
        List<Map<String, Object>> sessions = (List<Map<String, Object>>) ((Map<String, Object>) files.get("sessions.json")).get("data");
        assertEquals(2, sessions.size(), "alice's two sessions (the deleted one is gone)");
        assertEquals(aliceSessions, sessions.stream().map(s -> (UUID) s.get("id")).toList());
        List<Map<String, Object>> messages = (List<Map<String, Object>>) ((Map<String, Object>) files.get("messages-0001.json")).get("data");
        assertEquals(8, messages.size(), "two turns of two messages in each of two sessions");
        assertTrue(messages.stream().allMatch(m -> aliceSessions.contains((UUID) m.get("session_id"))));
        List<String> imageFiles = names.stream().filter(n -> n.startsWith("attachments/")).toList();
        assertEquals(2, imageFiles.size(), imageFiles.toString());
        Map<String, Object> image = (Map<String, Object>) files.get(imageFiles.get(0));
        assertArrayEquals(TurnTestImages.PNG, Base64.getDecoder().decode((String) image.get("data")));
        assertEquals("image/png", image.get("media_type"));
        Map<String, Object> withImage = messages.stream().filter(m -> !((List<?>) m.get("attachments")).isEmpty()).findFirst().orElseThrow();
        assertEquals(List.of(imageFiles.get(0)), ((Map<String, Object>) ((List<?>) withImage.get("attachments")).get(0)).get("files"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLongHistoryIsSplitIntoFilesOfAtMost5000MessagesAndALargeImageIntoParts() throws Exception {
        UUID s = aliceSessions.get(0);
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into messages (id, session_id, user_id, role, content, status, depth, created_at) "
                        + "select gen_random_uuid(), ?, ?, 'user', 'imported ' || g, 'complete', 0, now() + g * interval '1 millisecond' "
                        + "from generate_series(1, 5001) g")) {
            ps.setObject(1, s);
            ps.setObject(2, alice);
            ps.executeUpdate();
        }
        byte[] big = new byte[3_500_000];
        System.arraycopy(TurnTestImages.PNG, 0, big, 0, TurnTestImages.PNG.length);
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into attachments (id, message_id, user_id, media_type, size_bytes, data, created_at) "
                        + "select gen_random_uuid(), id, user_id, 'image/png', ?, ?, now() from messages where session_id = ? "
                        + "and content = 'imported 1'")) {
            ps.setInt(1, big.length);
            ps.setBytes(2, big);
            ps.setObject(3, s);
            ps.executeUpdate();
        }
        Map<String, Object> files = new LinkedHashMap<>();
        data.export(alice, files::put);
        List<Map<String, Object>> first = (List<Map<String, Object>>) ((Map<String, Object>) files.get("messages-0001.json")).get("data");
        List<Map<String, Object>> second = (List<Map<String, Object>>) ((Map<String, Object>) files.get("messages-0002.json")).get("data");
        assertEquals(5000, first.size());
        assertEquals(8 + 5001 - 5000, second.size());
        List<String> parts = files.keySet().stream().filter(n -> n.matches("attachments/.*-part-\\d\\d\\.json")).sorted().toList();
        assertEquals(2, parts.size(), "4.7 million base64 characters in two parts: " + files.keySet());
        StringBuilder base64 = new StringBuilder();
        for (String p : parts) {
            Map<String, Object> part = (Map<String, Object>) files.get(p);
            assertEquals(2, part.get("parts"));
            assertTrue(((String) part.get("data")).length() <= 4 * 1024 * 1024);
            base64.append((String) part.get("data"));
        }
        assertArrayEquals(big, Base64.getDecoder().decode(base64.toString()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void longMessagesAreExportedInFilesAuthServiceAccepts() throws Exception {
        UUID writer = UUID.randomUUID();
        String token = Tokens.user(writer, "writer");
        String sid = given().auth().oauth2(token).contentType("application/json").body("{\"title\":\"long\"}")
                .post("/api/v1/sessions").then().statusCode(201).extract().path("id");
        String text = "ü".repeat(190_000); // two bytes each in UTF-8: 25 of them are 9.5 MB, over one 8 MB file
        for (int n = 0; n < 25; n++) {
            given().auth().oauth2(token).contentType("application/json")
                    .body(Map.of("content", text, "generate", false)).post("/api/v1/sessions/" + sid + "/messages")
                    .then().statusCode(201);
        }
        Map<String, Object> files = new LinkedHashMap<>();
        data.export(writer, files::put);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules();
        int messages = 0;
        int messageFiles = 0;
        for (Map.Entry<String, Object> f : files.entrySet()) {
            byte[] bytes = json.writeValueAsBytes(f.getValue());
            assertTrue(bytes.length < 8 * 1024 * 1024, f.getKey() + " is " + bytes.length + " bytes");
            if (f.getKey().startsWith("messages-")) {
                messageFiles++;
                messages += ((List<Object>) ((Map<String, Object>) f.getValue()).get("data")).size();
            }
        }
        assertEquals(25, messages);
        assertTrue(messageFiles >= 3, "split by size, not only by count: " + files.keySet());
    }

    private long count(String sql, Object... params) throws Exception {
        return DatabaseTraces.count(db, sql, params);
    }
}
