package dev.parley.auth;

import static dev.parley.auth.AccountJobFixtures.SERVICES;
import static dev.parley.auth.AccountJobFixtures.done;
import static dev.parley.auth.AccountJobFixtures.file;
import static dev.parley.auth.AccountJobFixtures.jobOf;
import static dev.parley.auth.AccountJobFixtures.token;
import static dev.parley.auth.AuthFixtures.PASSWORD;
import static dev.parley.auth.AuthFixtures.register;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.auth.AuthFixtures.Account;
import dev.parley.auth.service.Cleanup;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Exports: built from every service's files, ready once all have reported, one zip archive with auth-service's part
 * (no secret of any kind) and a manifest; another user's export is 404; expired exports go with the cleanup.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class AccountExportTest {
    private static final String PROVIDER_KEY = "sk-export-never-in-it-9876";

    @Inject
    DataSource db;
    @Inject
    Cleanup cleanup;

    @Test
    void anExportIsBuiltByEveryServiceAndDownloadedAsOneArchiveWithoutSecrets() throws Exception {
        Account u = register("exporter");
        String accessKey = u.as().contentType("application/json").body(Map.of("name", "script"))
                .when().post("/api/v1/access-keys").then().statusCode(201).extract().path("key");
        u.as().contentType("application/json").body(Map.of("provider", "openai", "api_key", PROVIDER_KEY, "label", "work"))
                .when().post("/api/v1/provider-keys").then().statusCode(201);

        String id = u.as().when().post("/api/v1/users/me/exports").then().statusCode(202)
                .body("status", equalTo("building"))
                .body("services.auth-service", equalTo("done"))
                .body("services.usage-service", equalTo("pending")).extract().path("id");
        u.as().when().post("/api/v1/users/me/exports").then().statusCode(202).body("id", equalTo(id)); // the same one
        u.as().when().get("/api/v1/users/me/export").then().statusCode(202)
                .body("id", equalTo(id)).body("status", equalTo("building"));
        assertErrorShape(u.as().when().get("/api/v1/users/me/exports/" + id + "/archive").then(), 409, "EXPORT_NOT_READY");
        Account other = register("nosy");
        assertErrorShape(other.as().when().get("/api/v1/users/me/exports/" + id).then(), 404, "EXPORT_NOT_FOUND");
        assertErrorShape(other.as().when().get("/api/v1/users/me/exports/" + id + "/archive").then(), 404, "EXPORT_NOT_FOUND");

        String session = token("session-service");
        assertEquals(id, jobOf(session, u.id(), "export"));
        file(session, id, "sessions.json", "{\"data\":[{\"title\":\"first\"}]}").statusCode(204);
        file(session, id, "messages/0001.json", "{\"data\":[]}").statusCode(204);
        file(session, id, "messages/0001.json", "{\"data\":[{\"content\":\"hello\"}]}").statusCode(204); // replaces
        for (String service : SERVICES) {
            done(token(service), jobOf(token(service), u.id(), "export")).statusCode(204);
            if (!service.equals("usage-service")) {
                u.as().when().get("/api/v1/users/me/exports/" + id).then().statusCode(200)
                        .body("status", equalTo("building")).body("services." + service, equalTo("done"));
            }
        }
        u.as().when().get("/api/v1/users/me/exports/" + id).then().statusCode(200)
                .body("status", equalTo("ready")).body("ready_at", org.hamcrest.Matchers.notNullValue())
                .body("services.usage-service", equalTo("done"));

        Response archive = u.as().when().get("/api/v1/users/me/exports/" + id + "/archive");
        archive.then().statusCode(200).contentType("application/zip")
                .header("Content-Disposition", containsString("attachment"));
        Map<String, String> files = unzip(archive.asByteArray());
        assertEquals(List.of("auth-service/access-keys.json", "auth-service/account.json", "auth-service/login-history.json",
                "auth-service/provider-keys.json", "session-service/messages/0001.json", "session-service/sessions.json",
                "manifest.json"), List.copyOf(files.keySet()));
        ObjectMapper json = new ObjectMapper();
        assertEquals(u.username(), json.readTree(files.get("auth-service/account.json")).path("username").asText());
        JsonNode keys = json.readTree(files.get("auth-service/provider-keys.json")).path("data");
        assertEquals("work", keys.path(0).path("label").asText());
        assertEquals(1, json.readTree(files.get("auth-service/access-keys.json")).path("data").size());
        assertEquals("hello", json.readTree(files.get("session-service/messages/0001.json")).path("data").path(0)
                .path("content").asText());
        JsonNode manifest = json.readTree(files.get("manifest.json"));
        assertEquals(id, manifest.path("export_id").asText());
        assertEquals(6, manifest.path("files").size());
        String everything = String.join("\n", files.values());
        for (String secret : List.of(PROVIDER_KEY, accessKey, accessKey.substring(11), "argon2", "ciphertext", "key_hash",
                "password", "nonce", PASSWORD)) {
            assertFalse(everything.contains(secret), "the export holds no secret: " + secret);
        }

        // the newest ready export, through the endpoint
        Response newest = u.as().when().get("/api/v1/users/me/export");
        newest.then().statusCode(200).contentType("application/zip");
        assertEquals(files.keySet(), unzip(newest.asByteArray()).keySet());

        // expired: still named, no longer downloadable; the cleanup then deletes it
        exec("UPDATE account_jobs SET ready_at = ? WHERE id = ?", java.sql.Timestamp.from(Instant.now().minus(Duration.ofDays(8))),
                UUID.fromString(id));
        u.as().when().get("/api/v1/users/me/exports/" + id).then().statusCode(200).body("status", equalTo("expired"));
        assertErrorShape(u.as().when().get("/api/v1/users/me/exports/" + id + "/archive").then(), 410, "EXPORT_EXPIRED");
        assertTrue(cleanup.run(Instant.now()).exports() >= 1);
        assertErrorShape(u.as().when().get("/api/v1/users/me/exports/" + id).then(), 404, "EXPORT_NOT_FOUND");
        // and GET /export starts a new one
        String next = u.as().when().get("/api/v1/users/me/export").then().statusCode(202)
                .body("status", equalTo("building")).extract().path("id");
        assertFalse(next.equals(id));
    }

    @Test
    void filesPastTheExportBoundAreLeftOutAndNamedInTheManifest() throws Exception {
        Account u = register("big");
        String id = u.as().when().post("/api/v1/users/me/exports").then().statusCode(202).extract().path("id");
        String memory = token("memory-service");
        // 64K in tests: the first file fits, the second does not (more than 1 MB: this endpoint's own body limit)
        file(memory, id, "memories-0001.json", "[\"" + "a".repeat(40_000) + "\"]").statusCode(204);
        file(memory, id, "memories-0002.json", "[\"" + "b".repeat(2_000_000) + "\"]").statusCode(204);
        for (String service : SERVICES) {
            done(token(service), id).statusCode(204);
        }
        Map<String, String> files = unzip(u.as().when().get("/api/v1/users/me/exports/" + id + "/archive")
                .then().statusCode(200).extract().asByteArray());
        assertTrue(files.containsKey("memory-service/memories-0001.json"));
        assertFalse(files.containsKey("memory-service/memories-0002.json"));
        JsonNode omitted = new ObjectMapper().readTree(files.get("manifest.json")).path("omitted");
        assertEquals(1, omitted.size());
        assertEquals("memory-service/memories-0002.json", omitted.path(0).path("path").asText());
        assertEquals(2_000_004, omitted.path(0).path("bytes").asLong());
    }

    @Test
    void theServicesSideRefusesBadNamesBadJsonAndTooManyFiles() {
        Account u = register("careful");
        String id = u.as().when().post("/api/v1/users/me/exports").then().statusCode(202).extract().path("id");
        String usage = token("usage-service");
        for (String bad : List.of("../escape.json", "/etc/passwd", "a/../../b.json", "a//b.json", ".hidden", "a\\b.json", "")) {
            assertErrorShape(file(usage, id, bad, "{}"), 400, "VALIDATION_FAILED");
        }
        assertErrorShape(file(usage, id, "x.json", "{not json"), 400, "MALFORMED_JSON");
        assertErrorShape(file(usage, UUID.randomUUID().toString(), "x.json", "{}"), 404, "ACCOUNT_JOB_NOT_FOUND");
        for (int i = 1; i <= 5; i++) {
            file(usage, id, "f" + i + ".json", "{}").statusCode(204);
        }
        assertErrorShape(file(usage, id, "f6.json", "{}"), 409, "TOO_MANY_FILES"); // 5 per service in tests
        file(usage, id, "f5.json", "{\"again\":true}").statusCode(204); // replacing one is fine
        file(token("memory-service"), id, "f6.json", "{}").statusCode(204); // the bound is per service
        // users and access keys never reach the internal endpoints
        assertErrorShape(u.as().when().get("/internal/v1/account-jobs").then(), 403, "FORBIDDEN");
        // the service token's subject decides: an unknown job id is simply not pending for anyone
        done(usage, UUID.randomUUID().toString()).statusCode(204);
    }

    private static Map<String, String> unzip(byte[] zip) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private void exec(String sql, Object... args) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }
}
