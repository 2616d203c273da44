package dev.parley.auth;

import static dev.parley.auth.AuthFixtures.admin;
import static dev.parley.auth.AuthFixtures.register;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** Roles, the configured first admin, user administration, and what disabling a user does. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class AdminTest {

    @Test
    void theConfiguredAdminExistsWithTheAdminRole() {
        admin().as().when().get("/api/v1/users/me").then().statusCode(200)
                .body("username", equalTo(AuthFixtures.ADMIN))
                .body("roles", hasItem("admin"));
    }

    @Test
    void adminOnlyEndpointsAre403ForUsers() {
        Account u = register("plain");
        assertErrorShape(u.as().when().get("/api/v1/users").then(), 403, "FORBIDDEN");
        assertErrorShape(u.as().when().get("/api/v1/users/" + u.id()).then(), 403, "FORBIDDEN");
        assertErrorShape(u.as().contentType("application/json").body(Map.of("roles", List.of("user", "admin")))
                .when().patch("/api/v1/users/" + u.id()).then(), 403, "FORBIDDEN");
        assertErrorShape(u.as().when().get("/api/v1/auth/signing-keys").then(), 403, "FORBIDDEN");
        assertErrorShape(u.as().when().post("/api/v1/auth/signing-keys/rotate").then(), 403, "FORBIDDEN");
        assertErrorShape(u.as().when().post("/api/v1/provider-keys/re-encrypt").then(), 403, "FORBIDDEN");
    }

    @Test
    void adminsListUsersWithKeysetPagination() {
        for (int i = 0; i < 3; i++) {
            register("page");
        }
        Account admin = admin();
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            var req = admin.as().queryParam("limit", 2);
            if (cursor != null) {
                req = req.queryParam("cursor", cursor);
            }
            JsonPath page = req.when().get("/api/v1/users").then().statusCode(200)
                    .body("data.size()", org.hamcrest.Matchers.lessThanOrEqualTo(2))
                    .body("data[0].enabled", notNullValue())
                    .extract().jsonPath();
            for (String id : page.<String>getList("data.id")) {
                assertTrue(seen.add(id), "a user appeared on two pages");
            }
            cursor = page.getString("next_cursor");
            pages++;
        } while (cursor != null && pages < 1000);
        // The pages stitch together to exactly the users there are (walked again in pages of 200).
        Set<String> all = new HashSet<>();
        String c = null;
        do {
            var req = admin.as().queryParam("limit", 200);
            if (c != null) {
                req = req.queryParam("cursor", c);
            }
            JsonPath page = req.when().get("/api/v1/users").then().statusCode(200).extract().jsonPath();
            all.addAll(page.getList("data.id"));
            c = page.getString("next_cursor");
        } while (c != null);
        assertTrue(seen.containsAll(all) && all.size() >= 4, "users missing from the small pages");
        assertEquals(all.size(), seen.size());
        assertTrue(pages >= 2);
        assertErrorShape(admin.as().queryParam("cursor", "garbage").when().get("/api/v1/users").then(), 400, "INVALID_CURSOR");
    }

    @Test
    void disablingAUserStopsTheirTokensRefreshTokensAndAccessKeysAndEnablingRestoresLogin() {
        Account u = register("victim");
        String key = u.as().contentType("application/json").body(Map.of("name", "ci"))
                .when().post("/api/v1/access-keys").then().statusCode(201).extract().path("key");
        given().auth().oauth2(key).when().get("/api/v1/users/me").then().statusCode(200);

        Account admin = admin();
        admin.as().contentType("application/json").body(Map.of("enabled", false))
                .when().patch("/api/v1/users/" + u.id()).then().statusCode(200).body("enabled", equalTo(false));

        assertErrorShape(u.as().when().get("/api/v1/users/me").then(), 401, "UNAUTHENTICATED");
        assertErrorShape(given().auth().oauth2(key).when().get("/api/v1/users/me").then(), 401, "UNAUTHENTICATED");
        assertErrorShape(given().contentType("application/json").body(Map.of("refresh_token", u.refreshToken()))
                .when().post("/api/v1/auth/refresh").then(), 401, "INVALID_REFRESH_TOKEN");
        assertErrorShape(given().contentType("application/json")
                .body(Map.of("username", u.username(), "password", AuthFixtures.PASSWORD))
                .when().post("/api/v1/auth/login").then(), 401, "INVALID_CREDENTIALS");
        given().auth().oauth2(AuthFixtures.sessionServiceToken()).when().get("/internal/v1/users/" + u.id() + "/status")
                .then().statusCode(200).body("enabled", equalTo(false));
        // A service acting for a disabled user is refused too.
        assertErrorShape(given().auth().oauth2(AuthFixtures.sessionServiceToken()).header("X-Parley-User", u.id())
                .when().get("/internal/v1/whoami").then(), 401, "UNAUTHENTICATED");

        admin.as().contentType("application/json").body(Map.of("enabled", true))
                .when().patch("/api/v1/users/" + u.id()).then().statusCode(200).body("enabled", equalTo(true));
        AuthFixtures.login(u.username(), AuthFixtures.PASSWORD);
        given().auth().oauth2(key).when().get("/api/v1/users/me").then().statusCode(200);
    }

    @Test
    void adminsChangeRolesButNotTheirOwn() {
        Account u = register("promote");
        Account admin = admin();
        admin.as().contentType("application/json").body(Map.of("roles", List.of("admin")))
                .when().patch("/api/v1/users/" + u.id()).then().statusCode(200)
                .body("roles", hasItem("admin")).body("roles", hasItem("user"));
        // New tokens carry the new role; the promoted user can now use admin endpoints.
        Account promoted = AuthFixtures.login(u.username(), AuthFixtures.PASSWORD);
        promoted.as().when().get("/api/v1/users").then().statusCode(200);

        assertErrorShape(promoted.as().contentType("application/json").body(Map.of("roles", List.of("user")))
                .when().patch("/api/v1/users/" + promoted.id()).then(), 403, "CANNOT_CHANGE_OWN_ROLES");
        assertErrorShape(promoted.as().contentType("application/json").body(Map.of("enabled", false))
                .when().patch("/api/v1/users/" + promoted.id()).then(), 403, "CANNOT_DISABLE_YOURSELF");
        assertErrorShape(admin.as().contentType("application/json").body(Map.of("roles", List.of("root")))
                .when().patch("/api/v1/users/" + u.id()).then(), 400, "VALIDATION_FAILED");
        assertErrorShape(admin.as().contentType("application/json").body(Map.of("roles", List.of("service")))
                .when().patch("/api/v1/users/" + u.id()).then(), 400, "VALIDATION_FAILED");
        assertErrorShape(admin.as().when().get("/api/v1/users/" + java.util.UUID.randomUUID()).then(), 404, "USER_NOT_FOUND");

        // Demote back to a plain user.
        admin.as().contentType("application/json").body(Map.of("roles", List.of("user")))
                .when().patch("/api/v1/users/" + u.id()).then().statusCode(200).body("roles", hasSize(1));
    }
}
