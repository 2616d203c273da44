package dev.parley.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.UUID;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Protection on by default (platform's per-user limits, at their shipped defaults): a user's 601st request within a
 * minute is refused with 429 RATE_LIMITED and Retry-After, another user is not affected, and services are never
 * limited. The suite's own loopback callers are exempt in tests, so these calls come from a documentation address
 * (X-Forwarded-For, believed from the loopback proxy).
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class ApiRateLimitTest {

    private static int get(String token, String from) {
        return call(token, from).statusCode();
    }

    private static io.restassured.response.Response call(String token, String from) {
        return given().auth().oauth2(token).header("X-Forwarded-For", from).get("/api/v1/sessions");
    }

    @Test
    void aUsersRequestsAreLimitedToTheDefaultAMinute() throws Exception {
        AuthServiceStub.resetToDefaults();
        UUID aliceId = UUID.randomUUID();
        UUID bobId = UUID.randomUUID();
        for (UUID id : List.of(aliceId, bobId)) {
            // enabled users (unstubbed, the status check fails open, and its failures would open the circuit breaker
            // that the other test classes of this JVM rely on)
            AuthServiceStub.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/internal/v1/users/" + id + "/status")
                    .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson("{\"enabled\":true}")));
        }
        String alice = Tokens.user(aliceId, "alice");
        String bob = Tokens.user(bobId, "bob");
        // As fast as 8 clients can, from two addresses in turn: one bucket per user holds 600 and refills at 10 a
        // second, so the number served before the first refusal is 600 plus what refilled meanwhile (per-address
        // buckets would serve twice as many).
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<io.restassured.response.Response> refusal = new java.util.concurrent.atomic.AtomicReference<>();
        long start = System.nanoTime();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            pool.submit(() -> {
                while (refusal.get() == null && served.get() < 5000) {
                    io.restassured.response.Response r = call(alice, sent.incrementAndGet() % 2 == 0 ? "203.0.113.10" : "198.51.100.7");
                    if (r.statusCode() == 200) {
                        served.incrementAndGet();
                    } else if (r.statusCode() == 429) {
                        refusal.compareAndSet(null, r);
                    } else {
                        throw new AssertionError("unexpected " + r.statusCode());
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        assertEquals(true, pool.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES));
        double seconds = (System.nanoTime() - start) / 1e9;
        int n = served.get();
        org.junit.jupiter.api.Assertions.assertNotNull(refusal.get(), "refused within " + n + " requests");
        org.junit.jupiter.api.Assertions.assertTrue(n >= 600 && n <= 600 + 10 * seconds + 8,
                n + " served in " + seconds + " s: 600 plus 10 a second");
        refusal.get().then()
                .header("Retry-After", equalTo("1"))
                .body("error.code", equalTo("RATE_LIMITED"))
                .body("error.message", containsString("600 requests a minute per user"))
                .body("error.details.scope", equalTo("user_requests"))
                .body("error.details.limit_per_minute", equalTo(600));
        // another user has their own bucket, full
        assertEquals(200, get(bob, "203.0.113.10"));
        // a service acting for the same user is not limited (the user was counted where the call came in)
        given().auth().oauth2(Tokens.service("memory-service")).header("X-Forwarded-For", "203.0.113.10")
                .get("/internal/v1/whoami").then().statusCode(200);
    }
}
