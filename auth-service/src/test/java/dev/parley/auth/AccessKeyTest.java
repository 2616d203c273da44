package dev.parley.auth;

import static dev.parley.auth.AuthFixtures.register;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** Parley access keys: creation, use as bearer, listing, expiry, revocation, ownership, the verify contract. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class AccessKeyTest {

    private static JsonPath create(Account owner, Map<String, Object> body) {
        return owner.as().contentType("application/json").body(body)
                .when().post("/api/v1/access-keys").then().statusCode(201).extract().jsonPath();
    }

    @Test
    void aKeyHas256RandomBitsIsShownOnceAndWorksAsABearerToken() {
        Account u = register("keys");
        JsonPath k = create(u, Map.of("name", "laptop"));
        String key = k.getString("key");
        assertTrue(key.matches("pk-[A-Za-z0-9_-]{43}"), key.substring(0, 3));
        assertTrue(Base64.getUrlDecoder().decode(key.substring(3)).length >= 32);
        assertEquals("pk-" + key.substring(3, 11), k.getString("prefix"));

        given().auth().oauth2(key).when().get("/api/v1/users/me").then().statusCode(200).body("id", equalTo(u.id()));

        u.as().when().get("/api/v1/access-keys").then().statusCode(200)
                .body("data.size()", equalTo(1))
                .body("data[0].id", equalTo(k.getString("id")))
                .body("data[0].prefix", equalTo(k.getString("prefix")))
                .body("data[0]", not(hasKey("key")))
                .body("next_cursor", equalTo(null));
        String listing = u.as().when().get("/api/v1/access-keys").then().extract().asString();
        assertFalse(listing.contains(key.substring(3)), "the listing must not contain the key");
    }

    /** The platform's strict JSON: no number or boolean taken as text, nothing after the JSON value; nothing created. */
    @Test
    void aNonTextNameOrTrailingDataIsA400AndCreatesNothing() {
        Account u = register("strict");
        for (String body : new String[] {"{\"name\":true}", "{\"name\":42}", "{\"name\":1.5}", "{\"name\":\"ok\"} trailing",
                "{\"name\":\"ok\"}{\"name\":\"again\"}"}) {
            var r = u.as().contentType("application/json").body(body).when().post("/api/v1/access-keys").then();
            r.statusCode(400);
            r.body("error.code", not(equalTo(null))).body("request_id", not(equalTo(null)));
        }
        u.as().when().get("/api/v1/access-keys").then().statusCode(200).body("data.size()", equalTo(0));
    }

    @Test
    void revokedKeysStopWorkingAndOnlyTheOwnerCanRevoke() {
        Account u = register("revoke");
        Account other = register("intruder");
        JsonPath k = create(u, Map.of("name", "ci"));
        assertErrorShape(other.as().when().delete("/api/v1/access-keys/" + k.getString("id")).then(), 404, "ACCESS_KEY_NOT_FOUND");
        given().auth().oauth2(k.getString("key")).when().get("/api/v1/users/me").then().statusCode(200);

        u.as().when().delete("/api/v1/access-keys/" + k.getString("id")).then().statusCode(204);
        assertErrorShape(given().auth().oauth2(k.getString("key")).when().get("/api/v1/users/me").then(), 401, "UNAUTHENTICATED");
        assertErrorShape(u.as().when().delete("/api/v1/access-keys/" + k.getString("id")).then(), 404, "ACCESS_KEY_NOT_FOUND");
        u.as().when().get("/api/v1/access-keys").then().statusCode(200).body("data.size()", equalTo(0));
    }

    @Test
    void expiredKeysAreRefused() throws Exception {
        Account u = register("expiry");
        String expires = Instant.now().plusSeconds(2).toString();
        String key = create(u, Map.of("name", "short-lived", "expires_at", expires)).getString("key");
        given().auth().oauth2(key).when().get("/api/v1/users/me").then().statusCode(200);
        Thread.sleep(2500);
        assertErrorShape(given().auth().oauth2(key).when().get("/api/v1/users/me").then(), 401, "UNAUTHENTICATED");
        assertErrorShape(u.as().contentType("application/json")
                .body(Map.of("name", "past", "expires_at", Instant.now().minusSeconds(5).toString()))
                .when().post("/api/v1/access-keys").then(), 400, "VALIDATION_FAILED");
    }

    @Test
    void theVerifyContractCarriesAllowedModelsForTheGateway() {
        Account u = register("models");
        JsonPath k = create(u, Map.of("name", "scoped", "allowed_models", List.of("openai/gpt-4o*", "parley/echo")));
        String service = AuthFixtures.sessionServiceToken();
        given().auth().oauth2(service).contentType("application/json").body(Map.of("key", k.getString("key")))
                .when().post("/internal/v1/access-keys/verify").then().statusCode(200)
                .body("user_id", equalTo(u.id()))
                .body("username", equalTo(u.username()))
                .body("roles", equalTo(List.of("user")))
                .body("key_id", equalTo(k.getString("id")))
                .body("allowed_models", equalTo(List.of("openai/gpt-4o*", "parley/echo")));
        assertErrorShape(given().auth().oauth2(service).contentType("application/json")
                .body(Map.of("key", "pk-" + "A".repeat(43))).when().post("/internal/v1/access-keys/verify").then(),
                404, "ACCESS_KEY_NOT_FOUND");
        // A user (or an access key) may not call the internal verify endpoint.
        assertErrorShape(u.as().contentType("application/json").body(Map.of("key", k.getString("key")))
                .when().post("/internal/v1/access-keys/verify").then(), 403, "FORBIDDEN");
    }

    @Test
    void badRequestsAreClear4xx() {
        Account u = register("badkeys");
        assertErrorShape(u.as().contentType("application/json").body(Map.of("name", ""))
                .when().post("/api/v1/access-keys").then(), 400, "VALIDATION_FAILED");
        assertErrorShape(u.as().contentType("application/json").body(Map.of("name", "x", "allowed_models", List.of("bad model!")))
                .when().post("/api/v1/access-keys").then(), 400, "VALIDATION_FAILED");
        // An access key cannot mint more access keys: that needs the owner's login.
        String key = create(u, Map.of("name", "k")).getString("key");
        assertErrorShape(given().auth().oauth2(key).contentType("application/json").body(Map.of("name", "child"))
                .when().post("/api/v1/access-keys").then(), 403, "FORBIDDEN");
        u.as().when().get("/api/v1/access-keys").then().body("data[0].prefix", matchesPattern("pk-.{8}"));
    }
}
