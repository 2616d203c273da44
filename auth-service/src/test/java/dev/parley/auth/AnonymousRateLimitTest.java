package dev.parley.auth;

import static dev.parley.auth.AuthFixtures.PASSWORD;
import static dev.parley.auth.AuthFixtures.unique;
import static dev.parley.testsupport.ServiceContractTests.assertErrorShape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/**
 * The platform's per-address limit on calls without a credential (register, login, refresh), at its shipped default
 * of 120 a minute, beside auth-service's own login throttling. Loopback callers are exempt in tests, so these calls
 * come from documentation addresses (X-Forwarded-For, believed from the loopback proxy).
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class AnonymousRateLimitTest {

    private static Response post(String path, Map<String, ?> body, String from) {
        return given().contentType("application/json").header("X-Forwarded-For", from).body(body).when().post(path);
    }

    private static Response register(String name, String from) {
        return post("/api/v1/auth/register", Map.of("username", name, "password", PASSWORD), from);
    }

    private static Response login(String name, String password, String from) {
        return post("/api/v1/auth/login", Map.of("username", name, "password", password), from);
    }

    private static Response refresh(String token, String from) {
        return post("/api/v1/auth/refresh", Map.of("refresh_token", token), from);
    }

    @Test
    void registerLoginAndRefreshFromOneAddressAreRefusedPast120AMinuteAndAnotherAddressIsNot() {
        String flooder = "203.0.113.171";
        String other = "203.0.113.172";
        // Mostly (cheap) refreshes with unknown tokens, some logins of unknown users and registrations in between: all
        // three draw on the address's one bucket of 120, refilled at 2 a second.
        long start = System.nanoTime();
        int served = 0;
        Response refusal = null;
        for (int i = 0; i < 1000 && refusal == null; i++) {
            Response r = switch (i % 30) {
                case 0 -> register(unique("flood"), flooder);
                case 1 -> login(unique("flood-ghost"), "whatever-password", flooder);
                default -> refresh("prt_unknown-" + i, flooder);
            };
            if (r.statusCode() == 429) {
                refusal = r;
            } else {
                int expected = i % 30 == 0 ? 201 : 401;
                assertEquals(expected, r.statusCode(), "call " + i + ": " + r.asString());
                served++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertNotNull(refusal, "refused within 1000 calls");
        assertTrue(served >= 120 && served <= 120 + 2 * seconds + 2, served + " served in " + seconds + " s");
        assertErrorShape(refusal.then(), 429, "RATE_LIMITED")
                .header("Retry-After", notNullValue())
                .body("error.details.scope", equalTo("anonymous"))
                .body("error.details.limit_per_minute", equalTo(120));

        // every unauthenticated endpoint of the address is refused now: called in turn, each meets the empty bucket
        // (refused calls take nothing; a refill of the bucket meanwhile lets one through now and then)
        boolean[] refusedKinds = new boolean[3];
        int servedAfter = 0;
        for (int i = 0; i < 60 && !(refusedKinds[0] && refusedKinds[1] && refusedKinds[2]); i++) {
            Response r = switch (i % 3) {
                case 0 -> register(unique("flood"), flooder);
                case 1 -> login(AuthFixtures.ADMIN, AuthFixtures.ADMIN_PASSWORD, flooder);
                default -> refresh("prt_unknown", flooder);
            };
            if (r.statusCode() == 429) {
                assertErrorShape(r.then(), 429, "RATE_LIMITED");
                refusedKinds[i % 3] = true;
            } else {
                servedAfter++;
            }
        }
        assertTrue(refusedKinds[0] && refusedKinds[1] && refusedKinds[2], "register, login and refresh each refused");
        double total = (System.nanoTime() - start) / 1e9;
        assertTrue(served + servedAfter <= 120 + 2 * total + 2, (served + servedAfter) + " served in " + total + " s");

        // another address is not affected
        String name = unique("elsewhere");
        register(name, other).then().statusCode(201);
        String token = login(name, PASSWORD, other).then().statusCode(200).extract().path("refresh_token");
        refresh(token, other).then().statusCode(200);
    }

    @Test
    void theLoginThrottleStillAnswersBeforeTheAddressLimit() {
        String name = unique("throttled");
        String from = "203.0.113.173";
        register(name, from).then().statusCode(201);
        // test profile: 3 failures of one account from one address, then waits with Retry-After
        for (int i = 0; i < 3; i++) {
            assertErrorShape(login(name, "wrong-password-" + i, from).then(), 401, "INVALID_CREDENTIALS");
        }
        assertErrorShape(login(name, "wrong-password-x", from).then(), 429, "TOO_MANY_LOGIN_ATTEMPTS")
                .header("Retry-After", notNullValue())
                .body("error.details.retry_after_seconds", notNullValue());
        // the owner elsewhere is not affected by either
        login(name, PASSWORD, "203.0.113.174").then().statusCode(200);
    }
}
