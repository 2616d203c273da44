package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * An account's whole life through the ingress: what a user builds up in every service, their export (one archive of
 * everything, secrets never), and their deletion, after which no row in any of the five databases names them.
 */
@Order(6)
class AccountLifeIT {
    private static final List<String> SERVICES = List.of("auth-service", "session-service", "llm-gateway-service",
            "memory-service", "usage-service");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final E2e e2e = E2e.get();
    private final Api api = e2e.api;

    /** What one user left in the platform: the values that must be found in an export and gone after deletion. */
    private record Footprint(E2e.User user, String sessionId, String sessionTitle, String memory, String routeAlias,
                             String accessKey, String providerKey) {
        List<String> traces() {
            return List.of(user.id(), user.username(), sessionId, sessionTitle, memory);
        }
    }

    private Footprint liveALittle(String prefix) throws InterruptedException {
        E2e.User user = e2e.register(prefix);
        String token = user.accessToken();
        String providerKey = "sk-e2e-" + prefix + "-" + user.id().substring(0, 8) + "-not-a-real-key";
        e2e.providerKey(user, "openai", MockProvider.OPENAI, providerKey);
        String accessKey = e2e.accessKey(user);
        String title = "Life of " + user.username();
        Api.Response s = api.post("/api/v1/sessions", token, Map.of("title", title, "model", "openai/gpt-4o-mini"));
        assertEquals(201, s.status(), s.text());
        String sid = s.path("id").asText();
        Api.Response turn = api.post("/api/v1/sessions/" + sid + "/messages", token, Map.of("content", "Hello there"));
        assertEquals(201, turn.status(), turn.text());
        // a note added without asking the model (generate: false) is part of the tree like any message
        Api.Response note = api.post("/api/v1/sessions/" + sid + "/messages", token,
                Map.of("content", "A note of " + user.username(), "generate", false));
        assertEquals(201, note.status(), note.text());
        String memory = "The favourite tree of " + user.username() + " is the cork oak";
        Api.Response m = api.post("/api/v1/memories", token, Map.of("content", memory));
        assertEquals(201, m.status(), m.text());
        String alias = "my/" + prefix;
        Api.Response route = api.post("/api/v1/routes", token,
                Map.of("alias", alias, "deployments", List.of(Map.of("model", "openai/gpt-4o-mini"))));
        assertEquals(201, route.status(), route.text());
        // the turn is metered before anything is exported or deleted
        String replyId = turn.path("assistant_message").path("id").asText();
        Api.Response usage = api.get("/api/v1/usage/messages/" + replyId, token);
        for (int i = 0; i < 100 && usage.status() == 404; i++) {
            Thread.sleep(200);
            usage = api.get("/api/v1/usage/messages/" + replyId, token);
        }
        assertEquals(200, usage.status(), usage.text());
        return new Footprint(user, sid, title, memory, alias, accessKey, providerKey);
    }

    @Test
    void anExportHoldsWhatEveryServiceKeepsAboutTheUserAndNoSecret() throws Exception {
        Footprint f = liveALittle("exported");
        String token = f.user().accessToken();
        Api.Response started = api.post("/api/v1/users/me/exports", token, null);
        assertEquals(202, started.status(), started.text());
        String id = started.path("id").asText();
        Api.Response status = api.get("/api/v1/users/me/exports/" + id, token);
        for (int i = 0; i < 240 && status.status() == 200 && !"ready".equals(status.path("status").asText()); i++) {
            Thread.sleep(250);
            status = api.get("/api/v1/users/me/exports/" + id, token);
        }
        assertEquals("ready", status.path("status").asText(), status.text());

        Map<String, String> files = unzip(archive("/api/v1/users/me/exports/" + id + "/archive", token));
        assertTrue(files.containsKey("manifest.json"), files.keySet().toString());
        for (String service : SERVICES) {
            assertTrue(files.keySet().stream().anyMatch(n -> n.startsWith(service + "/")), service + " in " + files.keySet());
        }
        String all = String.join("\n", files.values());
        assertTrue(files.entrySet().stream().anyMatch(e -> e.getKey().startsWith("session-service/")
                && e.getValue().contains(f.sessionTitle())), "the session is in session-service's files");
        assertTrue(files.entrySet().stream().anyMatch(e -> e.getKey().startsWith("memory-service/")
                && e.getValue().contains(f.memory())), "the memory is in memory-service's files");
        assertTrue(files.entrySet().stream().anyMatch(e -> e.getKey().startsWith("llm-gateway-service/")
                && e.getValue().contains(f.routeAlias())), "the route is in the gateway's files");
        for (String secret : List.of(f.user().password(), f.providerKey(), f.accessKey(), f.user().accessToken(),
                f.user().refreshToken(), E2e.ADMIN_PASSWORD)) {
            assertFalse(all.contains(secret), "an export never holds a secret");
        }
        // the newest ready export, in one call
        assertEquals(files.keySet(), unzip(archive("/api/v1/users/me/export", token)).keySet());
        // another user's export is not found
        E2e.User other = e2e.register("nosy");
        assertEquals(404, api.get("/api/v1/users/me/exports/" + id, other.accessToken()).status());
        assertEquals(404, api.get("/api/v1/users/me/exports/" + id + "/archive", other.accessToken()).status());
    }

    @Test
    void aDeletedAccountLeavesNothingInAnyDatabaseAndOthersKeepTheirs() throws Exception {
        Footprint gone = liveALittle("leaving");
        Footprint stays = liveALittle("staying");
        String token = gone.user().accessToken();
        for (String service : SERVICES) {
            assertTrue(rowsNaming(service, gone.traces()).size() > 0,
                    service + " holds something of the user before (else the check below proves nothing)");
        }

        Api.Response wrong = api.send("DELETE", "/api/v1/users/me", token, Map.of("password", "not-the-password"), Map.of());
        assertEquals(401, wrong.status(), wrong.text());
        assertEquals(200, api.get("/api/v1/sessions/" + gone.sessionId(), token).status(), "a wrong password deletes nothing");
        Api.Response deleted = api.send("DELETE", "/api/v1/users/me", token, Map.of("password", gone.user().password()), Map.of());
        assertEquals(202, deleted.status(), deleted.text());
        assertEquals("deleting", deleted.path("status").asText(), deleted.text());
        Api.Response login = api.post("/api/v1/auth/login", null,
                Map.of("username", gone.user().username(), "password", gone.user().password()));
        assertEquals(401, login.status(), "no login once deletion started: " + login.text());
        assertEquals(401, api.post("/api/v1/auth/refresh", null, Map.of("refresh_token", gone.user().refreshToken())).status());

        Map<String, List<String>> left = new LinkedHashMap<>();
        for (int i = 0; i < 180; i++) {
            left.clear();
            for (String service : SERVICES) {
                List<String> rows = rowsNaming(service, gone.traces());
                if (!rows.isEmpty()) {
                    left.put(service, rows);
                }
            }
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals(Map.of(), left, "tables still naming the deleted user");
        Api.Response others = api.get("/api/v1/sessions/" + stays.sessionId(), stays.user().accessToken());
        assertEquals(200, others.status(), others.text());
        assertTrue(rowsNaming("memory-service", List.of(stays.memory())).size() > 0, "another user's memory stays");
        // once every service is done, the name is free again
        Api.Response again = api.post("/api/v1/auth/register", null,
                Map.of("username", gone.user().username(), "password", "pw-" + java.util.UUID.randomUUID()));
        assertEquals(201, again.status(), again.text());
    }

    /** "table: n rows" for every table of the service's database with a row whose text holds one of the values. */
    private List<String> rowsNaming(String service, List<String> values) throws Exception {
        List<String> found = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(e2e.platform.jdbcUrl(service), "postgres", "")) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("select table_name from information_schema.tables "
                    + "where table_schema = 'public' and table_type = 'BASE TABLE'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                StringBuilder where = new StringBuilder();
                for (int i = 0; i < values.size(); i++) {
                    where.append(i == 0 ? "" : " or ").append("strpos(t::text, ?) > 0");
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "select count(*) from \"" + table + "\" t where " + where)) {
                    for (int i = 0; i < values.size(); i++) {
                        ps.setString(i + 1, values.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            found.add(table + ": " + rs.getLong(1));
                        }
                    }
                }
            }
        }
        return found;
    }

    private byte[] archive(String path, String token) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(api.base + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/zip", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"));
        return r.body();
    }

    private static Map<String, String> unzip(byte[] zip) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                files.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertFalse(files.isEmpty(), "an empty archive");
        return files;
    }
}
