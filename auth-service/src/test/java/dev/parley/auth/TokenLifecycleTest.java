package dev.parley.auth;

import static dev.parley.auth.AuthFixtures.PASSWORD;
import static dev.parley.auth.AuthFixtures.login;
import static dev.parley.auth.AuthFixtures.register;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/** Refresh-token rotation, reuse detection, logout and password change, over real HTTP and PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class TokenLifecycleTest {

    private static ValidatableResponse refresh(String token) {
        return given().contentType("application/json").body(Map.of("refresh_token", token))
                .when().post("/api/v1/auth/refresh").then();
    }

    @Test
    void refreshRotatesThePairAndTheNewAccessTokenWorks() {
        Account a = register("rot");
        JsonPath next = refresh(a.refreshToken()).statusCode(200)
                .body("user.id", equalTo(a.id()))
                .body("refresh_token", startsWith("prt_"))
                .extract().jsonPath();
        assertNotEquals(a.refreshToken(), next.getString("refresh_token"));
        assertEquals(sid(a.accessToken()), sid(next.getString("access_token")), "the login session is kept");
        given().auth().oauth2(next.getString("access_token")).when().get("/api/v1/users/me").then()
                .statusCode(200).body("id", equalTo(a.id()));
        // and the new one rotates again
        refresh(next.getString("refresh_token")).statusCode(200);
    }

    @Test
    void reusingASpentRefreshTokenRevokesTheWholeFamily() {
        Account a = register("reuse");
        String second = refresh(a.refreshToken()).statusCode(200).extract().path("refresh_token");
        String third = refresh(second).statusCode(200).extract().path("refresh_token");

        // The first token, already spent, comes back: someone copied it.
        assertErrorShape(refresh(a.refreshToken()), 401, "REFRESH_TOKEN_REUSED");
        // Every token descended from that login is dead, including the newest one the legitimate client holds.
        assertErrorShape(refresh(third), 401, "INVALID_REFRESH_TOKEN");
        assertErrorShape(refresh(second), 401, "INVALID_REFRESH_TOKEN");

        // Another login of the same user is a different family and is unaffected.
        Account other = login(a.username(), PASSWORD);
        refresh(other.refreshToken()).statusCode(200);
    }

    @Test
    void logoutRevokesTheRefreshTokenAndIsIdempotent() {
        Account a = register("logout");
        given().contentType("application/json").body(Map.of("refresh_token", a.refreshToken()))
                .when().post("/api/v1/auth/logout").then().statusCode(204);
        assertErrorShape(refresh(a.refreshToken()), 401, "INVALID_REFRESH_TOKEN");
        given().contentType("application/json").body(Map.of("refresh_token", a.refreshToken()))
                .when().post("/api/v1/auth/logout").then().statusCode(204);
        given().contentType("application/json").body(Map.of("refresh_token", "prt_unknown"))
                .when().post("/api/v1/auth/logout").then().statusCode(204);
    }

    @Test
    void garbageRefreshTokensAre401AndMissingOnesAre400() {
        assertErrorShape(refresh("prt_" + "x".repeat(43)), 401, "INVALID_REFRESH_TOKEN");
        assertErrorShape(given().contentType("application/json").body("{}").when().post("/api/v1/auth/refresh").then(),
                400, "VALIDATION_FAILED");
    }

    @Test
    void passwordChangeKeepsThisSessionAndEndsTheOthers() {
        Account first = register("pwd");
        Account second = login(first.username(), PASSWORD);
        String newPassword = "a-much-better-passphrase";

        assertErrorShape(first.as().contentType("application/json")
                .body(Map.of("current_password", "wrong-wrong-wrong", "new_password", newPassword))
                .when().put("/api/v1/users/me/password").then(), 403, "INVALID_CURRENT_PASSWORD");
        assertErrorShape(first.as().contentType("application/json")
                .body(Map.of("current_password", PASSWORD, "new_password", "short"))
                .when().put("/api/v1/users/me/password").then(), 400, "WEAK_PASSWORD");

        first.as().contentType("application/json")
                .body(Map.of("current_password", PASSWORD, "new_password", newPassword))
                .when().put("/api/v1/users/me/password").then().statusCode(204);

        refresh(first.refreshToken()).statusCode(200);                           // this session stays
        assertErrorShape(refresh(second.refreshToken()), 401, "INVALID_REFRESH_TOKEN"); // the other one ends
        assertErrorShape(given().contentType("application/json")
                .body(Map.of("username", first.username(), "password", PASSWORD))
                .when().post("/api/v1/auth/login").then(), 401, "INVALID_CREDENTIALS");
        login(first.username(), newPassword);
    }

    static String sid(String jwt) {
        String json = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        return new JsonPath(json).getString("sid");
    }
}
