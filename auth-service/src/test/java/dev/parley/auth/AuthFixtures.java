package dev.parley.auth;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** Users and tokens for auth-service tests, made through the public API. */
final class AuthFixtures {
    static final String PASSWORD = "correct-horse-battery";
    static final String ADMIN = "root-admin";
    static final String ADMIN_PASSWORD = "root-admin-password-42";

    private AuthFixtures() { }

    record Account(String id, String username, String accessToken, String refreshToken) {
        RequestSpecification as() {
            return given().auth().oauth2(accessToken);
        }
    }

    static String unique(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Account register(String base) {
        String name = unique(base);
        JsonPath j = given().contentType("application/json").body(Map.of("username", name, "password", PASSWORD))
                .when().post("/api/v1/auth/register").then().statusCode(201).extract().jsonPath();
        return new Account(j.getString("user.id"), name, j.getString("access_token"), j.getString("refresh_token"));
    }

    static Account login(String username, String password) {
        JsonPath j = given().contentType("application/json").body(Map.of("username", username, "password", password))
                .when().post("/api/v1/auth/login").then().statusCode(200).extract().jsonPath();
        return new Account(j.getString("user.id"), username, j.getString("access_token"), j.getString("refresh_token"));
    }

    static Account admin() {
        return login(ADMIN, ADMIN_PASSWORD);
    }

    static String serviceToken(String clientId, String secret) {
        return given().contentType("application/json").body(Map.of("client_id", clientId, "client_secret", secret))
                .when().post("/internal/v1/service-tokens").then().statusCode(200).extract().path("access_token");
    }

    static String gatewayToken() {
        return serviceToken("llm-gateway-service", "test-gateway-secret");
    }

    static String sessionServiceToken() {
        return serviceToken("session-service", "test-session-secret");
    }
}
