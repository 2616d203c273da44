package dev.parley.auth;

import static dev.parley.auth.AuthFixtures.PASSWORD;
import static dev.parley.auth.AuthFixtures.register;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/**
 * Throttling with the test profile's limits: 3 failures of one username from one address, 6 of one username from
 * anywhere; locks grow from 1 s and never exceed 4 s. Client addresses come from X-Forwarded-For (the tests' peer,
 * 127.0.0.1, is a trusted proxy).
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class LoginThrottleTest {

    private static ValidatableResponse login(String username, String password, String from) {
        return given().contentType("application/json").header("X-Forwarded-For", from)
                .body(Map.of("username", username, "password", password))
                .when().post("/api/v1/auth/login").then();
    }

    @Test
    void bruteForceFromOneAddressGets429WithRetryAfterAndTheLockEnds() throws Exception {
        Account a = register("brute");
        String attacker = "203.0.113.7";
        for (int i = 0; i < 3; i++) {
            login(a.username(), "wrong-password-" + i, attacker).statusCode(401);
        }
        ValidatableResponse locked = assertErrorShape(login(a.username(), "wrong-password-x", attacker),
                429, "TOO_MANY_LOGIN_ATTEMPTS").header("Retry-After", notNullValue());
        int retryAfter = Integer.parseInt(locked.extract().header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After within the max lock: " + retryAfter);
        // While locked, even the right password waits (no oracle for the attacker).
        assertErrorShape(login(a.username(), PASSWORD, attacker), 429, "TOO_MANY_LOGIN_ATTEMPTS");
        // The owner from another address is not affected.
        login(a.username(), PASSWORD, "198.51.100.20").statusCode(200);
        // Locks are bounded: after Retry-After the right password works again from that address too.
        Thread.sleep(retryAfter * 1000L + 300);
        login(a.username(), PASSWORD, attacker).statusCode(200);
    }

    @Test
    void aDistributedAttackCannotLockTheOwnerOutOfAnAddressTheyUsedBefore() throws Exception {
        Account a = register("distributed");
        String home = "192.0.2.10";
        login(a.username(), PASSWORD, home).statusCode(200); // the owner's usual address
        for (int i = 0; i < 6; i++) {                            // many addresses, one try each
            login(a.username(), "nope-nope-" + i, "203.0.113." + (100 + i)).statusCode(401);
        }
        // A new address now has to wait (username-wide throttle) ...
        assertErrorShape(login(a.username(), PASSWORD, "203.0.113.250"), 429, "TOO_MANY_LOGIN_ATTEMPTS");
        // ... but the owner's known address does not.
        login(a.username(), PASSWORD, home).statusCode(200);
    }

    @Test
    void unknownUsernamesAreThrottledLikeRealOnes() {
        String ghost = AuthFixtures.unique("ghost");
        String from = "203.0.113.99";
        for (int i = 0; i < 3; i++) {
            login(ghost, "whatever-password", from).statusCode(401);
        }
        assertErrorShape(login(ghost, "whatever-password", from), 429, "TOO_MANY_LOGIN_ATTEMPTS");
    }
}
