package dev.parley.auth;

import static dev.parley.auth.AuthFixtures.register;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.testsupport.LogCapture;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/**
 * A planted password, provider key and access key go through every operation that touches them (including failing
 * ones), with DEBUG and SQL-bind logging on: none may appear in the captured log, in any answer other than the two
 * that exist to return them (access-key creation, the gateway's resolve), or in the metrics.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class SecretsNeverLeakTest {

    @Test
    void plantedSecretsAppearNowhere() {
        String password = "Planted-pw-" + UUID.randomUUID();
        String providerKey = "sk-planted-" + UUID.randomUUID().toString().replace("-", "");
        List<String> bodies = new ArrayList<>();
        String accessKey;
        try (LogCapture logs = LogCapture.start()) {
            String name = AuthFixtures.unique("leaky");
            bodies.add(given().contentType("application/json").body(Map.of("username", name, "password", password))
                    .when().post("/api/v1/auth/register").then().statusCode(201).extract().asString());
            Account u = AuthFixtures.login(name, password);
            bodies.add(given().contentType("application/json").body(Map.of("username", name, "password", password + "!"))
                    .when().post("/api/v1/auth/login").then().statusCode(401).extract().asString());
            bodies.add(given().contentType("application/json").body("{\"username\":\"" + name + "\",\"password\":\"" + password)
                    .when().post("/api/v1/auth/login").then().statusCode(400).extract().asString());

            Response created = u.as().contentType("application/json").body(Map.of("name", "planted"))
                    .when().post("/api/v1/access-keys");
            accessKey = created.then().statusCode(201).extract().path("key");
            bodies.add(u.as().when().get("/api/v1/access-keys").then().statusCode(200).extract().asString());
            bodies.add(given().auth().oauth2(accessKey).when().get("/api/v1/users/me").then().statusCode(200).extract().asString());
            bodies.add(given().auth().oauth2(accessKey + "x").when().get("/api/v1/users/me").then().statusCode(401).extract().asString());

            String pkId = u.as().contentType("application/json").body(Map.of("provider", "openai", "api_key", providerKey))
                    .when().post("/api/v1/provider-keys").then().statusCode(201).extract().path("id");
            bodies.add(u.as().when().get("/api/v1/provider-keys").then().statusCode(200).extract().asString());
            bodies.add(u.as().when().get("/api/v1/provider-keys/" + pkId).then().statusCode(200).extract().asString());
            bodies.add(u.as().contentType("application/json").body(Map.of("provider", "openai", "api_key", providerKey))
                    .when().post("/api/v1/provider-keys").then().statusCode(409).extract().asString());
            bodies.add(u.as().contentType("application/json").body(Map.of("api_key", providerKey + " "))
                    .when().put("/api/v1/provider-keys/" + pkId).then().statusCode(400).extract().asString());
            bodies.add(given().auth().oauth2(AuthFixtures.sessionServiceToken()).contentType("application/json")
                    .body(Map.of("user_id", u.id(), "provider_key_name", "openai"))
                    .when().post("/internal/v1/provider-keys/resolve").then().statusCode(403).extract().asString());
            given().auth().oauth2(AuthFixtures.gatewayToken()).contentType("application/json")
                    .body(Map.of("user_id", u.id(), "provider_key_name", "openai"))
                    .when().post("/internal/v1/provider-keys/resolve").then().statusCode(200);
            bodies.add(u.as().contentType("application/json")
                    .body(Map.of("current_password", password, "new_password", password + "-2"))
                    .when().put("/api/v1/users/me/password").then().statusCode(204).extract().asString());
            bodies.add(given().when().get("/q/metrics").then().statusCode(200).extract().asString());

            List<String> lines = logs.lines();
            assertTrue(lines.stream().anyMatch(l -> l.contains("provider key") && l.contains("stored")),
                    "the capture must have seen the provider key being stored");
            for (String secret : List.of(password, providerKey, accessKey, accessKey.substring(3))) {
                for (String line : lines) {
                    assertFalse(line.contains(secret), "a log line holds a secret: "
                            + line.substring(0, Math.min(100, line.length())));
                }
                for (String body : bodies) {
                    assertFalse(body.contains(secret), "a response or the metrics hold a secret");
                }
            }
        }
    }
}
