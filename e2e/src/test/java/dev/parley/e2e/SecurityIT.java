package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The platform as an attacker sees it. The operation list is generated from the five services' OpenAPI documents, so
 * a new endpoint is covered (or fails the suite for want of a mapping) without anyone remembering to add it.
 */
@Order(3)
class SecurityIT {
    static final List<String> SERVICES = List.of("auth-service", "session-service", "llm-gateway-service",
            "memory-service", "usage-service");
    /** The only public operations that need no token. */
    static final Set<String> OPEN = Set.of("POST /api/v1/auth/register", "POST /api/v1/auth/login",
            "POST /api/v1/auth/refresh", "POST /api/v1/auth/logout", "GET /.well-known/jwks.json", "GET /health",
            "GET /api/v1/auth/registration");

    record Op(String service, String method, String path, List<String> roles, boolean secured, boolean multipart) {
        boolean internal() {
            return path.startsWith("/internal/");
        }

        boolean admin() {
            return roles.contains("admin");
        }

        String key() {
            return method + " " + path;
        }

        boolean hasBody() {
            return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        }
    }

    static List<Op> OPS;
    private static E2e e2e;
    private static Api api;

    @BeforeAll
    static void operations() {
        e2e = E2e.get();
        api = e2e.api;
        OPS = operations(e2e);
    }

    static List<Op> operations(E2e e2e) {
        List<Op> ops = new ArrayList<>();
        for (String service : SERVICES) {
            Api direct = new Api(e2e.platform.serviceUrl(service));
            JsonNode doc = direct.get("/q/openapi?format=json", null).json();
            doc.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(o -> {
                String method = o.getKey().toUpperCase();
                if (!Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                    return;
                }
                List<String> roles = new ArrayList<>();
                boolean secured = o.getValue().has("security");
                o.getValue().path("security").forEach(req -> req.fields().forEachRemaining(
                        f -> f.getValue().forEach(r -> roles.add(r.asText()))));
                boolean multipart = o.getValue().path("requestBody").path("content").has("multipart/form-data");
                ops.add(new Op(service, method, p.getKey(), roles, secured, multipart));
            }));
        }
        assertTrue(ops.size() > 60, "operations found: " + ops.size());
        return ops;
    }

    /** The path with every {param} replaced: a random UUID, or a word for the gateway's model names. */
    static String fill(String path, Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < path.length()) {
            int open = path.indexOf('{', i);
            if (open < 0) {
                out.append(path.substring(i));
                break;
            }
            int close = path.indexOf('}', open);
            out.append(path, i, open);
            String name = path.substring(open + 1, close);
            out.append(values.getOrDefault(name, name.equals("model") ? "gpt-4o-mini" : UUID.randomUUID().toString()));
            i = close + 1;
        }
        return out.toString();
    }

    static void assertErrorShape(Api.Response r, String path, String what) {
        JsonNode error = r.json().path("error");
        assertTrue(error.isObject(), what + ": no error object: " + r.text());
        assertFalse(error.path("message").asText().isEmpty(), what + ": " + r.text());
        if (!path.startsWith("/v1/")) {
            assertFalse(error.path("code").asText().isEmpty(), what + ": " + r.text());
            assertFalse(r.json().path("request_id").asText().isEmpty(), what + ": " + r.text());
        } else {
            assertTrue(error.has("type"), what + ": OpenAI's error shape on /v1: " + r.text());
        }
    }

    @Test
    void theOnlyOperationsWithoutATokenAreTheDeclaredOnes() {
        Set<String> open = new TreeSet<>();
        OPS.stream().filter(o -> !o.internal() && !o.secured()).forEach(o -> open.add(o.key()));
        assertEquals(new TreeSet<>(OPEN), open, "a public operation without security in its OpenAPI document");
    }

    @TestFactory
    Stream<DynamicTest> withoutATokenEveryOperationIs401() {
        return OPS.stream().filter(o -> !o.internal() && o.secured()).map(o -> DynamicTest.dynamicTest(o.key(), () -> {
            String path = fill(o.path(), Map.of());
            Map<String, String> type = o.multipart() ? Map.of("Content-Type", "multipart/form-data; boundary=b") : Map.of();
            String body = o.multipart() ? "--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nhi\r\n--b--\r\n"
                    : o.hasBody() ? "{}" : null;
            Api.Response r = api.send(o.method(), path, null, body, type);
            assertEquals(401, r.status(), o.key() + ": " + r.text());
            assertErrorShape(r, o.path(), o.key());
            Api.Response junk = api.send(o.method(), path, "not-a-token", body, type);
            assertEquals(401, junk.status(), o.key() + " with a junk token: " + junk.text());
        }));
    }

    @TestFactory
    Stream<DynamicTest> aUserOnAnAdminOperationIs403() {
        E2e.User user = e2e.register("mallory");
        return OPS.stream().filter(o -> !o.internal() && o.admin()).map(o -> DynamicTest.dynamicTest(o.key(), () -> {
            Api.Response r = api.send(o.method(), fill(o.path(), Map.of()), user.accessToken(), o.hasBody() ? "{}" : null, Map.of());
            assertEquals(403, r.status(), o.key() + ": " + r.text());
            assertErrorShape(r, o.path(), o.key());
        }));
    }

    /** Which of the owner's resources a path parameter names, by the path it appears in. */
    static String resourceFor(String path, Map<String, String> owned) {
        if (path.startsWith("/api/v1/sessions/")) {
            return owned.get("session");
        }
        if (path.startsWith("/api/v1/messages/") || path.startsWith("/api/v1/usage/messages/")) {
            return owned.get("message");
        }
        if (path.startsWith("/api/v1/memories/")) {
            return owned.get("memory");
        }
        if (path.startsWith("/api/v1/access-keys/") || path.startsWith("/api/v1/budgets/access-keys/")) {
            return owned.get("access-key");
        }
        if (path.startsWith("/api/v1/provider-keys/")) {
            return owned.get("provider-key");
        }
        if (path.startsWith("/api/v1/routes/")) {
            return owned.get("route");
        }
        if (path.startsWith("/api/v1/users/me/exports/")) {
            return owned.get("export");
        }
        return null;
    }

    @TestFactory
    Stream<DynamicTest> anotherUsersResourceAnswersExactlyLikeAMissingOne() throws Exception {
        E2e.User owner = e2e.register("owner");
        E2e.User intruder = e2e.register("intruder");
        Map<String, String> owned = new LinkedHashMap<>();
        owned.put("provider-key", e2e.providerKey(owner, "openai", MockProvider.OPENAI, "sk-e2e-owner-not-a-real-key"));
        Api.Response key = api.post("/api/v1/access-keys", owner.accessToken(), Map.of("name", "owned"));
        owned.put("access-key", key.path("id").asText());
        Api.Response s = api.post("/api/v1/sessions", owner.accessToken(), Map.of("model", "openai/gpt-4o-mini",
                "memory_mode", "DISABLED"));
        owned.put("session", s.path("id").asText());
        Api.Response t = api.post("/api/v1/sessions/" + owned.get("session") + "/messages", owner.accessToken(),
                Map.of("content", "hello"));
        assertEquals(201, t.status(), t.text());
        owned.put("message", t.path("assistant_message").path("id").asText());
        Api.Response m = api.post("/api/v1/memories", owner.accessToken(), Map.of("content", "Owner likes plums"));
        owned.put("memory", m.path("id").asText());
        Api.Response r = api.post("/api/v1/routes", owner.accessToken(),
                Map.of("alias", "my/owned", "deployments", List.of(Map.of("model", "openai/gpt-4o-mini"))));
        assertEquals(201, r.status(), r.text());
        owned.put("route", r.path("id").asText());
        Api.Response x = api.post("/api/v1/users/me/exports", owner.accessToken(), null);
        assertEquals(202, x.status(), x.text());
        owned.put("export", x.path("id").asText());
        Thread.sleep(1500); // the usage of the owner's turn reaches usage-service

        List<DynamicTest> tests = new ArrayList<>();
        for (Op o : OPS) {
            if (o.internal() || o.admin() || !o.path().contains("{") || o.path().startsWith("/v1/")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(o.key(), () -> {
                String id = resourceFor(o.path(), owned);
                assertTrue(id != null, o.key() + ": a path parameter this test does not map to a user's resource; add it");
                Map<String, String> theirs = new LinkedHashMap<>();
                Map<String, String> missing = new LinkedHashMap<>();
                String first = o.path().substring(o.path().indexOf('{') + 1, o.path().indexOf('}'));
                theirs.put(first, id);
                missing.put(first, UUID.randomUUID().toString());
                Api.Response other = api.send(o.method(), fill(o.path(), theirs), intruder.accessToken(),
                        o.hasBody() ? "{}" : null, Map.of());
                Api.Response none = api.send(o.method(), fill(o.path(), missing), intruder.accessToken(),
                        o.hasBody() ? "{}" : null, Map.of());
                assertTrue(other.status() >= 400 && other.status() < 500, o.key() + ": " + other.text());
                assertEquals(none.status(), other.status(), o.key() + ": another user's vs a missing one: "
                        + other.text() + " / " + none.text());
                assertEquals(none.json().path("error").path("code").asText(), other.json().path("error").path("code").asText(),
                        o.key());
                if (!o.hasBody()) {
                    assertEquals(404, other.status(), o.key() + ": " + other.text());
                }
            }));
        }
        // and the owner still has everything the intruder tried to delete
        tests.add(DynamicTest.dynamicTest("the owner's resources are intact", () -> {
            assertEquals(200, api.get("/api/v1/sessions/" + owned.get("session"), owner.accessToken()).status());
            assertEquals(200, api.get("/api/v1/memories/" + owned.get("memory"), owner.accessToken()).status());
            assertEquals(200, api.get("/api/v1/provider-keys/" + owned.get("provider-key"), owner.accessToken()).status());
            assertEquals(200, api.get("/api/v1/routes/" + owned.get("route"), owner.accessToken()).status());
            assertEquals(200, api.get("/api/v1/users/me/exports/" + owned.get("export"), owner.accessToken()).status());
            Api.Response keys = api.get("/api/v1/access-keys", owner.accessToken());
            assertTrue(keys.text().contains(owned.get("access-key")), keys.text());
        }));
        assertTrue(tests.size() > 15, "operations with a user's resource: " + tests.size());
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> internalOperationsAreNeitherRoutedNorOpenToUsers() {
        E2e.User user = e2e.register("insider");
        String accessKey = e2e.accessKey(user);
        return OPS.stream().filter(Op::internal).map(o -> DynamicTest.dynamicTest(o.service() + " " + o.key(), () -> {
            String path = fill(o.path(), Map.of("id", user.id()));
            String body = o.hasBody() ? "{}" : null;
            Api.Response routed = api.send(o.method(), path, user.accessToken(), body, Map.of());
            assertEquals(404, routed.status(), "the ingress routed " + o.key() + ": " + routed.text());
            if (o.path().equals("/internal/v1/service-tokens")) {
                return; // the client-credential exchange: secrets, not tokens (tested below with a user's token as the secret)
            }
            Api direct = new Api(e2e.platform.serviceUrl(o.service()));
            for (String credential : List.of(user.accessToken(), accessKey)) {
                Api.Response r = direct.send(o.method(), path, credential, body, Map.of("X-Parley-User", user.id()));
                assertTrue(r.status() == 401 || r.status() == 403, o.service() + " " + o.key() + " let a user's "
                        + (credential.startsWith("pk-") ? "access key" : "token") + " in: " + r.status() + " " + r.text());
            }
        }));
    }

    @Test
    void healthIsPublicAndSaysNothingElseWhileQStaysUnrouted() {
        Api.Response r = api.get("/health", null);
        assertEquals(200, r.status(), r.text());
        assertEquals(Map.of("status", "UP"), Api.JSON.convertValue(r.json(), Map.class), "UP or DOWN, nothing else");
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
        for (String q : List.of("/q/health", "/q/health/ready", "/q/metrics", "/q/openapi", "/health/ready", "/healthx")) {
            assertEquals(404, api.get(q, null).status(), q + " is not routed");
        }
    }

    @Test
    void aUsersTokenBuysNoServiceToken() {
        E2e.User user = e2e.register("imposter");
        Api direct = new Api(e2e.platform.serviceUrl("auth-service"));
        Api.Response r = direct.post("/internal/v1/service-tokens", null,
                Map.of("client_id", "session-service", "client_secret", user.accessToken()));
        assertEquals(401, r.status(), r.text());
    }

    // ---- token attacks ---------------------------------------------------------------------------------------

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String b64(JsonNode json) throws Exception {
        return b64(Api.JSON.writeValueAsBytes(json));
    }

    /** A token with the real signing key (the launcher's PEM) and these claims. */
    private static String signed(JsonNode header, JsonNode claims) throws Exception {
        String pem = Files.readString(e2e.platform.home().resolve("secrets").resolve("jwt-signing-key.pem"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        String input = b64(header) + "." + b64(claims);
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64(sig.sign());
    }

    private static JsonNode part(String jwt, int i) throws Exception {
        return Api.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[i]));
    }

    /** Each forged token is refused by auth-service (its own check), session-service and the gateway (JWKS). */
    private static void refusedEverywhere(String token, String what) {
        for (String path : List.of("/api/v1/users/me", "/api/v1/sessions", "/v1/models", "/api/v1/memories",
                "/api/v1/usage/cost-estimation")) {
            Api.Response r = api.get(path, token);
            assertEquals(401, r.status(), what + " on " + path + ": " + r.text());
        }
    }

    @Test
    void forgedExpiredAndForeignTokensAreRefused() throws Exception {
        E2e.User victim = e2e.register("victim");
        String good = victim.accessToken();
        assertEquals(200, api.get("/api/v1/sessions", good).status(), "the genuine token works");
        JsonNode header = part(good, 0);
        JsonNode claims = part(good, 1);

        // a genuine re-signature with the real key works (the test's signing is right)...
        assertEquals(200, api.get("/api/v1/sessions", signed(header, claims)).status());

        // ...but not with alg none
        ObjectNode none = ((ObjectNode) header.deepCopy()).put("alg", "none");
        refusedEverywhere(b64(none) + "." + b64(claims) + ".", "alg none");
        // nor HS256 keyed with the public key (the JWKS entry, as text)
        ObjectNode hs = ((ObjectNode) header.deepCopy()).put("alg", "HS256");
        String jwks = api.get("/.well-known/jwks.json", null).text();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(jwks.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String hsInput = b64(hs) + "." + b64(claims);
        refusedEverywhere(hsInput + "." + b64(mac.doFinal(hsInput.getBytes(StandardCharsets.US_ASCII))), "HS256 with the public key");
        // expired an hour ago, properly signed
        long now = System.currentTimeMillis() / 1000;
        ObjectNode expired = ((ObjectNode) claims.deepCopy()).put("iat", now - 7200).put("exp", now - 3600);
        refusedEverywhere(signed(header, expired), "expired");
        // another issuer, properly signed
        ObjectNode foreign = ((ObjectNode) claims.deepCopy()).put("iss", "https://evil.example");
        refusedEverywhere(signed(header, foreign), "wrong issuer");
        // a flipped claim, the original signature
        ObjectNode admin = (ObjectNode) claims.deepCopy();
        admin.putArray("groups").add("user").add("admin");
        String tampered = b64(header) + "." + b64(admin) + "." + good.split("\\.")[2];
        refusedEverywhere(tampered, "tampered");
        assertEquals(401, api.get("/api/v1/users", tampered).status());
    }

    @Test
    void aRevokedAccessKeyAndADisabledUserAreShutOut() throws Exception {
        E2e.User dave = e2e.register("dave");
        Api.Response created = api.post("/api/v1/access-keys", dave.accessToken(), Map.of("name", "to-revoke"));
        String key = created.path("key").asText();
        assertEquals(200, api.get("/v1/models", key).status());
        assertEquals(200, api.get("/api/v1/sessions", key).status());
        assertEquals(204, api.delete("/api/v1/access-keys/" + created.path("id").asText(), dave.accessToken()).status());
        // auth-service refuses it at once; the other services within their 15 s verification cache
        assertEquals(401, api.get("/api/v1/users/me", key).status());
        long until = System.currentTimeMillis() + 20_000;
        int gateway = 0;
        int session = 0;
        while (System.currentTimeMillis() < until && (gateway != 401 || session != 401)) {
            gateway = api.get("/v1/models", key).status();
            session = api.get("/api/v1/sessions", key).status();
            Thread.sleep(500);
        }
        assertEquals(401, gateway, "the gateway still takes a revoked key after 20 s");
        assertEquals(401, session, "session-service still takes a revoked key after 20 s");

        E2e.User erin = e2e.register("erin");
        String erinKey = e2e.accessKey(erin);
        assertEquals(200, api.get("/api/v1/sessions", erin.accessToken()).status());
        Api.Response disable = api.send("PATCH", "/api/v1/users/" + erin.id(), e2e.adminToken(), Map.of("enabled", false), Map.of());
        assertEquals(200, disable.status(), disable.text());
        // her still-unexpired token and her access key stop working everywhere (services ask auth-service; allow its
        // status cache a few seconds)
        long deadline = System.currentTimeMillis() + 30_000;
        Set<String> stillOpen = new HashSet<>(List.of("/api/v1/sessions", "/api/v1/memories", "/api/v1/users/me",
                "/api/v1/usage/cost-estimation"));
        while (!stillOpen.isEmpty() && System.currentTimeMillis() < deadline) {
            stillOpen.removeIf(p -> {
                int status = api.get(p, erin.accessToken()).status();
                return status == 401 || status == 403;
            });
            Thread.sleep(500);
        }
        assertEquals(Set.of(), stillOpen, "a disabled user's token still works there");
        int viaKey = api.get("/v1/models", erinKey).status();
        assertTrue(viaKey == 401 || viaKey == 403, "a disabled user's access key: " + viaKey);
        Api.Response login = api.post("/api/v1/auth/login", null, Map.of("username", erin.username(), "password", erin.password()));
        assertNotEquals(200, login.status(), login.text());
    }
}
