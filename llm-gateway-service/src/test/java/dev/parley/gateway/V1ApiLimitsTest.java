package dev.parley.gateway;

import static dev.parley.gateway.ChatCompletionsTest.assertOpenAiError;
import static dev.parley.gateway.GatewayFixtures.accessKey;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The platform's per-user limits on /v1 (Vert.x routes the JAX-RS filter does not see), at their shipped defaults:
 * 60 generations a minute (chat completions, embeddings) and 600 requests (model lists) per user, in OpenAI's 429
 * shape. The suite's loopback callers are exempt, so these calls come "from" documentation addresses.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class V1ApiLimitsTest {
    private static final String ECHO = "{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @BeforeEach
    void reset() {
        AuthServiceStub.resetToDefaults();
    }

    private static Response chat(String key, String from) {
        return given().auth().oauth2(key).header("X-Forwarded-For", from).contentType("application/json").body(ECHO)
                .post("/v1/chat/completions");
    }

    /** Sends chat completions until the first refusal; answers it (null when none came within {@code max}). */
    private static Response firstRefusal(String key, String from, int max, int[] served) {
        for (int i = 0; i < max; i++) {
            Response r = chat(key, from);
            if (r.statusCode() == 429) {
                return r;
            }
            assertEquals(200, r.statusCode(), r.asString());
            served[0]++;
        }
        return null;
    }

    @Test
    void aUsersGenerationsAreLimitedInOpenAisShapeAndModelListsAreNot() {
        UUID alice = UUID.randomUUID();
        String aliceKey = accessKey(alice);
        long start = System.nanoTime();
        int[] served = {0};
        Response refused = firstRefusal(aliceKey, "203.0.113.21", 200, served);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertNotNull(refused, "refused within 200 calls");
        // a bucket of 60 that refills at one a second
        assertTrue(served[0] >= 60 && served[0] <= 60 + seconds + 1, served[0] + " served in " + seconds + " s");
        assertOpenAiError(refused, 429, "rate_limit_exceeded", null);
        assertEquals("requests", GatewayFixtures.json(refused.asString()).path("error").path("type").asText());
        assertTrue(Long.parseLong(refused.header("Retry-After")) >= 1, "Retry-After: " + refused.header("Retry-After"));
        assertTrue(refused.asString().contains("60 generations a minute"), refused.asString());

        // embeddings are generations too (a token may refill within the second after a refusal: a few tries; a
        // call the limiter lets through reaches the embedding model, which is down here: 503); listing models is a
        // request (its own, larger bucket)
        assertTrue(refusedWithin(3, () -> given().auth().oauth2(aliceKey).header("X-Forwarded-For", "203.0.113.21")
                .contentType("application/json").body("{\"model\":\"parley/all-minilm-l6-v2\",\"input\":\"x\"}")
                .post("/v1/embeddings")), "embeddings refused");
        given().auth().oauth2(aliceKey).header("X-Forwarded-For", "203.0.113.21").get("/v1/models").then().statusCode(200);
        given().auth().oauth2(aliceKey).header("X-Forwarded-For", "203.0.113.21").get("/v1/models/parley/echo")
                .then().statusCode(200);

        // the limit is the user's, not the address's: another user from the same address is served
        String bobKey = accessKey(UUID.randomUUID());
        assertEquals(200, chat(bobKey, "203.0.113.21").statusCode());
        // and another address does not give alice a new bucket (a new one would serve 60 in a row)
        assertTrue(refusedWithin(3, () -> chat(aliceKey, "198.51.100.9")), "alice refused from another address");
    }

    /** Whether one of {@code tries} calls is refused with a 429 (a bucket refills one token a second). */
    private static boolean refusedWithin(int tries, java.util.function.Supplier<Response> call) {
        for (int i = 0; i < tries; i++) {
            if (call.get().statusCode() == 429) {
                return true;
            }
        }
        return false;
    }

    @Test
    void servicesCallingForAUserAreNeverLimitedHere() {
        UUID carol = UUID.randomUUID();
        accessKey(carol); // an enabled user
        String service = Tokens.service("session-service");
        for (int i = 0; i < 80; i++) {
            given().auth().oauth2(service).header("X-Parley-User", carol.toString()).header("X-Forwarded-For", "203.0.113.22")
                    .contentType("application/json").body(ECHO).post("/v1/chat/completions").then().statusCode(200);
        }
    }

    @Test
    void callsWithoutAValidCredentialCountAgainstTheirAddress() {
        int unauthorized = 0;
        Response r = null;
        for (int i = 0; i < 200; i++) {
            r = given().auth().oauth2("not-a-token").header("X-Forwarded-For", "203.0.113.23").get("/v1/models");
            if (r.statusCode() != 401) {
                break;
            }
            unauthorized++;
        }
        assertTrue(unauthorized >= 120 && unauthorized < 200, unauthorized + " answered 401 before the first 429");
        assertOpenAiError(r, 429, "rate_limit_exceeded", null);
        given().auth().oauth2("not-a-token").header("X-Forwarded-For", "203.0.113.24").get("/v1/models").then().statusCode(401);
    }
}
