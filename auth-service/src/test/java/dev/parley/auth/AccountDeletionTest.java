package dev.parley.auth;

import static dev.parley.auth.AccountJobFixtures.SERVICES;
import static dev.parley.auth.AccountJobFixtures.done;
import static dev.parley.auth.AccountJobFixtures.jobOf;
import static dev.parley.auth.AccountJobFixtures.token;
import static dev.parley.auth.AuthFixtures.PASSWORD;
import static dev.parley.auth.AuthFixtures.admin;
import static dev.parley.auth.AuthFixtures.register;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.testsupport.DatabaseTraces;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * An account's deletion: the password confirms it, the user is locked out at once, every service gets a delete job,
 * the name stays taken until the last service is done, and then nothing of the user remains in auth's database.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class AccountDeletionTest {
    /** While services are deleting: the user row (id, and the name and email it keeps taken) and the job. */
    private static final Map<String, Long> TOMBSTONE = Map.of("users.id", 1L, "users.username", 1L, "users.email", 1L,
            "account_jobs.user_id", 1L);
    @Inject
    DataSource db;

    @Test
    void aWrongPasswordLeavesTheAccountAsItWas() {
        Account u = register("keepme");
        assertErrorShape(u.as().contentType("application/json").body(Map.of("password", "not-the-password"))
                .when().delete("/api/v1/users/me").then(), 401, "INVALID_CREDENTIALS");
        assertErrorShape(u.as().contentType("application/json").body(Map.of())
                .when().delete("/api/v1/users/me").then(), 400, "VALIDATION_FAILED");
        AuthFixtures.login(u.username(), PASSWORD);
        u.as().when().get("/api/v1/users/me").then().statusCode(200);
    }

    @Test
    void anAccessKeyCannotDeleteTheAccount() {
        Account u = register("keyholder");
        String key = u.as().contentType("application/json").body(Map.of("name", "script"))
                .when().post("/api/v1/access-keys").then().statusCode(201).extract().path("key");
        assertErrorShape(given().auth().oauth2(key).contentType("application/json").body(Map.of("password", PASSWORD))
                .when().delete("/api/v1/users/me").then(), 403, "FORBIDDEN");
        AuthFixtures.login(u.username(), PASSWORD);
    }

    @Test
    void deletionLocksTheUserOutAtOnceAndLeavesNothingOnceEveryServiceIsDone() throws Exception {
        String name = AuthFixtures.unique("leaving");
        String email = name + "@example.com";
        JsonPath reg = given().contentType("application/json")
                .body(Map.of("username", name, "password", PASSWORD, "email", email))
                .when().post("/api/v1/auth/register").then().statusCode(201).extract().jsonPath();
        Account u = AuthFixtures.login(name, PASSWORD);
        String userId = reg.getString("user.id");
        String key = u.as().contentType("application/json").body(Map.of("name", "script"))
                .when().post("/api/v1/access-keys").then().statusCode(201).extract().path("key");
        u.as().contentType("application/json").body(Map.of("provider", "openai", "api_key", "sk-leaving-secret-1234"))
                .when().post("/api/v1/provider-keys").then().statusCode(201);
        u.as().when().post("/api/v1/users/me/exports").then().statusCode(202);
        Map<String, Long> before = rowsNaming(UUID.fromString(userId), name, email);
        assertTrue(before.keySet().containsAll(List.of("users.id", "refresh_tokens.user_id", "access_keys.user_id",
                "provider_keys.user_id", "known_logins.user_id", "account_jobs.user_id")), before.toString());

        String deletion = u.as().contentType("application/json").body(Map.of("password", PASSWORD))
                .when().delete("/api/v1/users/me").then().statusCode(202)
                .body("status", equalTo("deleting")).extract().path("deletion_id");
        assertEquals(TOMBSTONE, rowsNaming(UUID.fromString(userId), name, email),
                "at once: only the tombstone and the job (the user's export went with the account)");

        // locked out at once, everywhere auth-service answers
        assertErrorShape(given().contentType("application/json").body(Map.of("username", name, "password", PASSWORD))
                .when().post("/api/v1/auth/login").then(), 401, "INVALID_CREDENTIALS");
        assertErrorShape(given().contentType("application/json").body(Map.of("refresh_token", u.refreshToken()))
                .when().post("/api/v1/auth/refresh").then(), 401, "INVALID_REFRESH_TOKEN");
        u.as().when().get("/api/v1/users/me").then().statusCode(401);
        String session = token("session-service");
        given().auth().oauth2(session).when().get("/internal/v1/users/" + userId + "/status").then()
                .statusCode(200).body("enabled", equalTo(false));
        given().auth().oauth2(session).contentType("application/json").body(Map.of("key", key))
                .when().post("/internal/v1/access-keys/verify").then().statusCode(404);
        given().auth().oauth2(AuthFixtures.gatewayToken()).contentType("application/json")
                .body(Map.of("user_id", userId, "provider_key_name", "openai"))
                .when().post("/internal/v1/provider-keys/resolve").then().statusCode(404);
        admin().as().when().get("/api/v1/users/" + userId).then().statusCode(404);


        for (String service : SERVICES) {
            String t = token(service);
            assertEquals(deletion, jobOf(t, userId, "delete"));
            assertErrorShape(AccountJobFixtures.file(t, deletion, "x.json", "{}"), 409, "NOT_AN_EXPORT");
            done(t, deletion).statusCode(204);
            done(t, deletion).statusCode(204); // idempotent (another replica, a retry)
            if (!service.equals(SERVICES.get(SERVICES.size() - 1))) {
                assertEquals(List.of(), AccountJobFixtures.pending(t, userId), "done: no longer listed for " + service);
                // the name stays taken while services are still deleting
                assertErrorShape(given().contentType("application/json")
                        .body(Map.of("username", name.toUpperCase(), "password", PASSWORD))
                        .when().post("/api/v1/auth/register").then(), 409, "USERNAME_TAKEN");
            }
        }

        assertEquals(Map.of(), rowsNaming(UUID.fromString(userId), name, email), "nothing of the user remains");
        done(token("usage-service"), deletion).statusCode(204); // a late report of a finished job changes nothing
        // the name is free again: a new account, another id
        String again = given().contentType("application/json").body(Map.of("username", name, "password", PASSWORD))
                .when().post("/api/v1/auth/register").then().statusCode(201).extract().path("user.id");
        assertTrue(!again.equals(userId));
    }

    @Test
    void adminsDeleteOthersButNeverTheLastAdmin() throws Exception {
        Account user = register("deleted-by-admin");
        assertErrorShape(register("not-admin").as().when().delete("/api/v1/users/" + user.id()).then(), 403, "FORBIDDEN");
        Account root = admin();
        assertErrorShape(root.as().when().delete("/api/v1/users/" + UUID.randomUUID()).then(), 404, "USER_NOT_FOUND");
        String first = root.as().when().delete("/api/v1/users/" + user.id()).then().statusCode(202)
                .body("status", equalTo("deleting")).extract().path("deletion_id");
        root.as().when().delete("/api/v1/users/" + user.id()).then().statusCode(202)
                .body("deletion_id", equalTo(first)); // again: the same deletion
        user.as().when().get("/api/v1/users/me").then().statusCode(401);
        assertErrorShape(root.as().contentType("application/json").body(Map.of("enabled", true))
                .when().patch("/api/v1/users/" + user.id()).then(), 404, "USER_NOT_FOUND");

        Account other = register("second-admin");
        root.as().contentType("application/json").body(Map.of("roles", List.of("user", "admin")))
                .when().patch("/api/v1/users/" + other.id()).then().statusCode(200);
        Account second = AuthFixtures.login(other.username(), PASSWORD);
        List<UUID> parked = parkOtherAdmins(UUID.fromString(other.id()));
        try {
            assertErrorShape(second.as().contentType("application/json").body(Map.of("password", PASSWORD))
                    .when().delete("/api/v1/users/me").then(), 409, "LAST_ADMIN");
            assertErrorShape(second.as().when().delete("/api/v1/users/" + other.id()).then(), 409, "LAST_ADMIN");
        } finally {
            unpark(parked);
        }
        second.as().contentType("application/json").body(Map.of("password", PASSWORD))
                .when().delete("/api/v1/users/me").then().statusCode(202);
    }

    /** Every row, per table.column, that names the user: uuid columns holding the id, text columns the name or email. */
    private Map<String, Long> rowsNaming(UUID id, String username, String email) throws Exception {
        assertTrue(DatabaseTraces.columns(db).stream().anyMatch(c -> c.key().equals("account_jobs.user_id")), "schema read");
        return DatabaseTraces.rowsHolding(db, id, username, email);
    }

    /** Disables every enabled admin but {@code keep} (the test then puts them back). */
    private List<UUID> parkOtherAdmins(UUID keep) throws Exception {
        List<UUID> ids = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE users SET enabled = false WHERE enabled AND 'admin' = ANY(roles) AND id <> ? RETURNING id")) {
            ps.setObject(1, keep);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return ids;
    }

    private void unpark(List<UUID> ids) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE users SET enabled = true WHERE id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            ps.executeUpdate();
        }
    }
}
