package dev.parley.auth;

import static dev.parley.auth.AuthFixtures.register;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.auth.service.KeyEncryption;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Provider keys: the public API never shows a key; the gateway alone resolves plaintext; the table holds AES-GCM
 * ciphertext bound to its row and key version; re-encryption moves every row to the newest key version.
 * The test profile configures key-encryption key versions 1 and 2 (2 is the newest).
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class ProviderKeyTest {
    static final byte[] KEK_V1 = Base64.getDecoder().decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

    @Inject
    AgroalDataSource db;

    @Inject
    KeyEncryption encryption;

    private static JsonPath create(Account u, Map<String, Object> body) {
        return u.as().contentType("application/json").body(body).when().post("/api/v1/provider-keys")
                .then().statusCode(201).extract().jsonPath();
    }

    private static io.restassured.response.ValidatableResponse resolve(String serviceToken, String userId, String name) {
        return given().auth().oauth2(serviceToken).contentType("application/json")
                .body(Map.of("user_id", userId, "provider_key_name", name))
                .when().post("/internal/v1/provider-keys/resolve").then();
    }

    @Test
    void storedKeysShowOnlyAHintAndOnlyTheGatewayReadsThem() {
        Account u = register("prov");
        String secret = "sk-proj-" + UUID.randomUUID().toString().replace("-", "") + "wxyz";
        JsonPath k = create(u, Map.of("provider", "openai", "api_key", secret, "label", "work"));
        assertEquals("openai", k.getString("name"));
        assertEquals("sk-…wxyz", k.getString("key_hint"));
        assertFalse(k.prettify().contains(secret.substring(3, secret.length() - 4)));

        u.as().when().get("/api/v1/provider-keys").then().statusCode(200)
                .body("data.size()", equalTo(1)).body("data[0]", not(hasKey("api_key")))
                .body("data[0].key_hint", equalTo("sk-…wxyz"));
        u.as().when().get("/api/v1/provider-keys/" + k.getString("id")).then().statusCode(200)
                .body("label", equalTo("work")).body("base_url", nullValue());

        resolve(AuthFixtures.gatewayToken(), u.id(), "openai").statusCode(200)
                .body("api_key", equalTo(secret)).body("provider", equalTo("openai"));
        assertErrorShape(resolve(AuthFixtures.sessionServiceToken(), u.id(), "openai"), 403, "FORBIDDEN");
        assertErrorShape(given().auth().oauth2(u.accessToken()).contentType("application/json")
                .body(Map.of("user_id", u.id(), "provider_key_name", "openai"))
                .when().post("/internal/v1/provider-keys/resolve").then(), 403, "FORBIDDEN");
        assertErrorShape(resolve(AuthFixtures.gatewayToken(), u.id(), "anthropic"), 404, "PROVIDER_KEY_NOT_FOUND");
    }

    @Test
    void theGatewayListsAUsersKeysWithoutTheirSecrets() {
        Account u = register("listed");
        String secret = "ollama-" + UUID.randomUUID().toString().replace("-", "");
        create(u, Map.of("provider", "openai_compatible", "name", "my-vllm", "api_key", secret,
                "base_url", "http://127.0.0.1:8000/v1"));
        create(u, Map.of("provider", "openai", "api_key", "sk-proj-" + UUID.randomUUID().toString().replace("-", "")));
        Account other = register("listed-other");
        create(other, Map.of("provider", "anthropic", "api_key", "sk-ant-" + UUID.randomUUID()));

        String body = given().auth().oauth2(AuthFixtures.gatewayToken()).queryParam("user_id", u.id())
                .when().get("/internal/v1/provider-keys").then().statusCode(200)
                .body("data.size()", equalTo(2))
                .body("data.find { it.name == 'my-vllm' }.provider", equalTo("openai_compatible"))
                .body("data.find { it.name == 'my-vllm' }.base_url", equalTo("http://127.0.0.1:8000/v1"))
                .body("data.find { it.name == 'openai' }.provider", equalTo("openai"))
                .extract().asString();
        assertFalse(body.contains(secret), "a list never holds a key");
        assertFalse(body.contains("key_hint") || body.contains("api_key") || body.contains("ciphertext"), body);
        assertErrorShape(given().auth().oauth2(AuthFixtures.sessionServiceToken()).queryParam("user_id", u.id())
                .when().get("/internal/v1/provider-keys").then(), 403, "FORBIDDEN");
        assertErrorShape(given().auth().oauth2(u.accessToken()).queryParam("user_id", u.id())
                .when().get("/internal/v1/provider-keys").then(), 403, "FORBIDDEN");
        given().auth().oauth2(AuthFixtures.gatewayToken()).when().get("/internal/v1/provider-keys").then().statusCode(400);
    }

    @Test
    void openAiCompatibleKeysNeedAUniqueNameAndKeepTheirBaseUrl() {
        Account u = register("compat");
        assertErrorShape(u.as().contentType("application/json")
                .body(Map.of("provider", "openai_compatible", "api_key", "ollama-key-123456"))
                .when().post("/api/v1/provider-keys").then(), 400, "VALIDATION_FAILED");
        JsonPath k = create(u, Map.of("provider", "openai_compatible", "name", "my-ollama",
                "api_key", "ollama-key-123456", "base_url", "http://127.0.0.1:11434/v1/"));
        assertEquals("http://127.0.0.1:11434/v1", k.getString("base_url"));
        assertErrorShape(u.as().contentType("application/json")
                .body(Map.of("provider", "openai_compatible", "name", "my-ollama", "api_key", "other-key-1234567"))
                .when().post("/api/v1/provider-keys").then(), 409, "PROVIDER_KEY_NAME_TAKEN");
        for (Map<String, Object> bad : new Map[] {
                Map.of("provider", "azure", "api_key", "x".repeat(20)),
                Map.of("provider", "openai_compatible", "name", "Bad Name", "api_key", "x".repeat(20)),
                Map.of("provider", "openai", "api_key", ""),
                Map.of("provider", "openai", "name", "o2", "api_key", "k".repeat(20), "base_url", "ftp://x"),
                Map.of("provider", "openai", "name", "o3", "api_key", "k".repeat(20), "base_url", "https://u:p@host/v1")}) {
            assertErrorShape(u.as().contentType("application/json").body(bad).when().post("/api/v1/provider-keys").then(),
                    400, "VALIDATION_FAILED");
        }
        resolve(AuthFixtures.gatewayToken(), u.id(), "my-ollama").statusCode(200)
                .body("base_url", equalTo("http://127.0.0.1:11434/v1")).body("api_key", equalTo("ollama-key-123456"));
    }

    @Test
    void updatesAndDeletesAreTheOwnersOnly() {
        Account u = register("upd");
        Account other = register("snoop");
        JsonPath k = create(u, Map.of("provider", "anthropic", "api_key", "sk-ant-abcdefghijklmnop-1111"));
        String id = k.getString("id");
        assertErrorShape(other.as().when().get("/api/v1/provider-keys/" + id).then(), 404, "PROVIDER_KEY_NOT_FOUND");
        assertErrorShape(other.as().contentType("application/json").body(Map.of("label", "mine"))
                .when().put("/api/v1/provider-keys/" + id).then(), 404, "PROVIDER_KEY_NOT_FOUND");
        assertErrorShape(other.as().when().delete("/api/v1/provider-keys/" + id).then(), 404, "PROVIDER_KEY_NOT_FOUND");

        u.as().contentType("application/json").body(Map.of("api_key", "sk-ant-zyxwvutsrqponmlk-2222", "label", "new"))
                .when().put("/api/v1/provider-keys/" + id).then().statusCode(200)
                .body("key_hint", equalTo("sk-…2222")).body("label", equalTo("new"));
        resolve(AuthFixtures.gatewayToken(), u.id(), "anthropic").statusCode(200)
                .body("api_key", equalTo("sk-ant-zyxwvutsrqponmlk-2222"));
        assertErrorShape(u.as().contentType("application/json").body(Map.of("provider", "openai"))
                .when().put("/api/v1/provider-keys/" + id).then(), 400, "VALIDATION_FAILED");

        u.as().when().delete("/api/v1/provider-keys/" + id).then().statusCode(204);
        assertErrorShape(resolve(AuthFixtures.gatewayToken(), u.id(), "anthropic"), 404, "PROVIDER_KEY_NOT_FOUND");
    }

    @Test
    void anUpdateKeepsAnAbsentBaseUrlClearsANullOneAndRefusesUnknownOrMistypedFields() {
        Account u = register("patch");
        String id = create(u, Map.of("provider", "openai_compatible", "name", "local", "api_key", "local-key-1234567890",
                "base_url", "http://127.0.0.1:11434/v1")).getString("id");
        u.as().contentType("application/json").body("{\"label\":\"home\"}").when().put("/api/v1/provider-keys/" + id)
                .then().statusCode(200).body("label", equalTo("home")).body("base_url", equalTo("http://127.0.0.1:11434/v1"));
        u.as().contentType("application/json").body("{\"base_url\":\"https://llm.example/v1/\"}").when()
                .put("/api/v1/provider-keys/" + id).then().statusCode(200)
                .body("base_url", equalTo("https://llm.example/v1")).body("label", equalTo("home"));
        u.as().contentType("application/json").body("{\"base_url\":null}").when().put("/api/v1/provider-keys/" + id)
                .then().statusCode(200).body("base_url", nullValue()).body("label", equalTo("home"));

        assertErrorShape(u.as().contentType("application/json").body("{\"label\":\"x\",\"colour\":\"red\"}").when()
                .put("/api/v1/provider-keys/" + id).then(), 400, "VALIDATION_FAILED").body("error.details.fields.colour", equalTo("unknown field"));
        assertErrorShape(u.as().contentType("application/json").body("{\"label\":42}").when()
                .put("/api/v1/provider-keys/" + id).then(), 400, "VALIDATION_FAILED")
                .body("error.details.fields.label", equalTo("wrong type or format"));
        assertErrorShape(u.as().contentType("application/json").body("{\"base_url\":42}").when()
                .put("/api/v1/provider-keys/" + id).then(), 400, "VALIDATION_FAILED")
                .body("error.details.fields.base_url", equalTo("wrong type or format"));
        assertErrorShape(u.as().contentType("application/json").body(Map.of("base_url", "https://h/" + "a".repeat(2100))).when()
                .put("/api/v1/provider-keys/" + id).then(), 400, "VALIDATION_FAILED").body("error.details.fields", hasKey("base_url"));
        assertErrorShape(u.as().contentType("application/json").body(Map.of("api_key", "k".repeat(5000))).when()
                .put("/api/v1/provider-keys/" + id).then(), 400, "VALIDATION_FAILED").body("error.details.fields", hasKey("api_key"));
        assertErrorShape(u.as().contentType("application/json").body(Map.of("name", "other")).when()
                .put("/api/v1/provider-keys/" + id).then(), 400, "VALIDATION_FAILED")
                .body("error.details.fields.name", equalTo("immutable"));
        u.as().when().get("/api/v1/provider-keys/" + id).then().statusCode(200).body("name", equalTo("local"))
                .body("label", equalTo("home")).body("base_url", nullValue());
    }

    @Test
    void theUpdateBodyIsDescribedInOpenApi() {
        JsonPath doc = given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200).extract().jsonPath();
        String ref = doc.getString("paths.'/api/v1/provider-keys/{id}'.put.requestBody.content.'application/json'.schema.'$ref'");
        Map<String, Object> properties = doc.getMap("components.schemas." + ref.substring(ref.lastIndexOf('/') + 1) + ".properties");
        assertEquals(java.util.Set.of("api_key", "label", "base_url"), properties.keySet());
    }

    @Test
    void theTableHoldsCiphertextBoundToItsRowAndKeyVersion() throws Exception {
        Account u = register("crypto");
        String s1 = "sk-first-" + UUID.randomUUID();
        String s2 = "sk-second-" + UUID.randomUUID();
        String id1 = create(u, Map.of("provider", "openai", "api_key", s1)).getString("id");
        String id2 = create(u, Map.of("provider", "gemini", "api_key", s2)).getString("id");

        Row r1 = row(id1);
        Row r2 = row(id2);
        assertEquals(2, r1.version, "new keys are sealed under the newest key version");
        assertFalse(new String(r1.ciphertext, StandardCharsets.ISO_8859_1).contains(s1), "the table must not hold the key");
        assertEquals(12, r1.nonce.length, "96-bit nonce");
        assertFalse(java.util.Arrays.equals(r1.nonce, r2.nonce));

        String aad1 = "parley/provider-key/v1|" + u.id() + "|" + id1;
        String aad2 = "parley/provider-key/v1|" + u.id() + "|" + id2;
        assertEquals(s1, new String(encryption.open(new KeyEncryption.Sealed(r1.ciphertext, r1.nonce, 2), aad1), StandardCharsets.UTF_8));
        // Another row's associated data, or another key version, does not open it.
        assertThrows(KeyEncryption.UnreadableSecret.class, () -> encryption.open(new KeyEncryption.Sealed(r1.ciphertext, r1.nonce, 2), aad2));
        assertThrows(KeyEncryption.UnreadableSecret.class, () -> encryption.open(new KeyEncryption.Sealed(r1.ciphertext, r1.nonce, 1), aad1));
        assertThrows(KeyEncryption.UnreadableSecret.class, () -> encryption.open(new KeyEncryption.Sealed(r1.ciphertext, r1.nonce, 7), aad1));

        // Moving a ciphertext to another row makes that row unreadable instead of leaking the other key.
        update(id2, r1.ciphertext, r1.nonce, r1.version);
        assertErrorShape(resolve(AuthFixtures.gatewayToken(), u.id(), "gemini"), 500, "PROVIDER_KEY_UNREADABLE");
        update(id2, r2.ciphertext, r2.nonce, r2.version);
        resolve(AuthFixtures.gatewayToken(), u.id(), "gemini").statusCode(200).body("api_key", equalTo(s2));
    }

    @Test
    void reEncryptionMovesEveryRowToTheNewestVersionAndKeepsThemReadable() throws Exception {
        // Rows written while version 1 was the newest: sealed here with a version-1-only encryptor.
        KeyEncryption v1Only = new KeyEncryption(Map.of(1, KEK_V1));
        Map<String, String> secrets = new HashMap<>();
        Account u = register("reenc");
        for (String provider : new String[] {"openai", "anthropic", "gemini"}) {
            String secret = "sk-" + provider + "-" + UUID.randomUUID();
            String id = create(u, Map.of("provider", provider, "api_key", secret)).getString("id");
            KeyEncryption.Sealed old = v1Only.seal(secret.getBytes(StandardCharsets.UTF_8),
                    "parley/provider-key/v1|" + u.id() + "|" + id);
            update(id, old.ciphertext(), old.nonce(), 1);
            secrets.put(provider, secret);
        }
        // Old rows stay readable before re-encryption (every configured version decrypts) ...
        resolve(AuthFixtures.gatewayToken(), u.id(), "openai").statusCode(200).body("api_key", equalTo(secrets.get("openai")));

        AuthFixtures.admin().as().when().post("/api/v1/provider-keys/re-encrypt").then().statusCode(200)
                .body("kek_version", equalTo(2)).body("remaining", equalTo(0));

        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM provider_keys WHERE kek_version < 2")) {
            ResultSet rs = ps.executeQuery();
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
        for (Map.Entry<String, String> e : secrets.entrySet()) {
            resolve(AuthFixtures.gatewayToken(), u.id(), e.getKey()).statusCode(200).body("api_key", equalTo(e.getValue()));
        }
    }

    private record Row(byte[] ciphertext, byte[] nonce, int version) { }

    private Row row(String id) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT ciphertext, nonce, kek_version FROM provider_keys WHERE id = ?")) {
            ps.setObject(1, UUID.fromString(id));
            ResultSet rs = ps.executeQuery();
            assertTrue(rs.next());
            return new Row(rs.getBytes(1), rs.getBytes(2), rs.getInt(3));
        }
    }

    private void update(String id, byte[] ciphertext, byte[] nonce, int version) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE provider_keys SET ciphertext = ?, nonce = ?, kek_version = ? WHERE id = ?")) {
            ps.setBytes(1, ciphertext);
            ps.setBytes(2, nonce);
            ps.setInt(3, version);
            ps.setObject(4, UUID.fromString(id));
            assertEquals(1, ps.executeUpdate());
        }
        assertArrayEquals(ciphertext, row(id).ciphertext);
    }
}
