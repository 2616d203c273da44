package dev.parley.auth;

import static dev.parley.auth.AuthFixtures.PASSWORD;
import static dev.parley.auth.AuthFixtures.unique;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/** Login by username or email (case-insensitive), one account per email, one login throttle per account. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class LoginByEmailTest {

    private static Response register(String username, String email) {
        return given().contentType("application/json")
                .body(Map.of("username", username, "password", PASSWORD, "email", email))
                .when().post("/api/v1/auth/register");
    }

    private static ValidatableResponse login(String login, String password, String from) {
        return given().contentType("application/json").header("X-Forwarded-For", from)
                .body(Map.of("username", login, "password", password))
                .when().post("/api/v1/auth/login").then();
    }

    @Test
    void anAccountLogsInByUsernameOrByEmailWhateverTheCase() {
        String name = unique("mail-user");
        String email = "Mixed." + name + "@Example.org";
        String id = register(name, email).then().statusCode(201).extract().path("user.id");
        login(email.toLowerCase(), PASSWORD, "192.0.2.31").statusCode(200).body("user.id", equalTo(id))
                .body("user.username", equalTo(name));
        login(email.toUpperCase(), PASSWORD, "192.0.2.31").statusCode(200).body("user.id", equalTo(id));
        login(" " + email + " ", PASSWORD, "192.0.2.31").statusCode(200).body("user.id", equalTo(id));
        login(name.toUpperCase(), PASSWORD, "192.0.2.31").statusCode(200).body("user.id", equalTo(id));
        given().auth().oauth2(AuthFixtures.login(email, PASSWORD).accessToken()).get("/api/v1/users/me").then()
                .statusCode(200).body("email", equalTo(email));
    }

    @Test
    void aWrongPasswordByEmailAndAnUnknownEmailGetTheSame401() {
        String name = unique("mail-wrong");
        register(name, name + "@example.org").then().statusCode(201);
        String wrong = assertErrorShape(login(name + "@example.org", "not-the-password", "192.0.2.32"), 401,
                "INVALID_CREDENTIALS").extract().path("error.message");
        String unknown = assertErrorShape(login("nobody-" + name + "@example.org", PASSWORD, "192.0.2.32"), 401,
                "INVALID_CREDENTIALS").extract().path("error.message");
        assertEquals(wrong, unknown);
    }

    @Test
    void anEmailBelongsToOneAccountWhateverTheCase() {
        String name = unique("mail-owner");
        String email = name + "@example.org";
        register(name, email).then().statusCode(201);
        assertErrorShape(register(unique("mail-thief"), email.toUpperCase()).then(), 409, "EMAIL_TAKEN");
        // the refused registration made no account: its name is still free
        register(unique("mail-other"), "other-" + email).then().statusCode(201);
        // accounts without an email do not collide with each other
        AuthFixtures.register("no-email-1");
        AuthFixtures.register("no-email-2");
    }

    @Test
    void twoRegistrationsOfOneEmailAtOnceMakeOneAccount() throws Exception {
        String email = unique("race") + "@example.org";
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> register(unique("mail-racer"), email).statusCode()));
            }
            int created = 0;
            int conflicts = 0;
            for (Future<Integer> f : results) {
                int status = f.get();
                created += status == 201 ? 1 : 0;
                conflicts += status == 409 ? 1 : 0;
            }
            assertEquals(1, created);
            assertEquals(3, conflicts);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void failuresByUsernameAndByEmailCountAgainstTheSameAccount() {
        // test profile: 3 failures of one account from one address, then waits
        String name = unique("mail-brute");
        String email = name + "@example.org";
        register(name, email).then().statusCode(201);
        String from = "203.0.113.61";
        login(name, "wrong-password-1", from).statusCode(401);
        login(email, "wrong-password-2", from).statusCode(401);
        login(email.toUpperCase(), "wrong-password-3", from).statusCode(401);
        assertErrorShape(login(name, PASSWORD, from), 429, "TOO_MANY_LOGIN_ATTEMPTS");
        assertErrorShape(login(email, PASSWORD, from), 429, "TOO_MANY_LOGIN_ATTEMPTS");
    }

    @Test
    void loginAcceptsAnEmailLongerThanAUsername() {
        String name = unique("long-mail");
        String email = name + "@" + "a".repeat(60) + ".example.org";
        register(name, email).then().statusCode(201);
        login(email, PASSWORD, "192.0.2.33").statusCode(200);
        assertErrorShape(login("a".repeat(255), PASSWORD, "192.0.2.33"), 400, "VALIDATION_FAILED");
        // the longest unknown email, from the longest address, is counted like any other failure
        String longest = "b".repeat(242) + "@example.org";
        String v6 = "2001:db8:1234:5678:9abc:def0:1234:5678";
        for (int i = 0; i < 3; i++) {
            assertErrorShape(login(longest, PASSWORD, v6), 401, "INVALID_CREDENTIALS");
        }
        assertErrorShape(login(longest.toUpperCase(), PASSWORD, v6), 429, "TOO_MANY_LOGIN_ATTEMPTS");
    }
}
