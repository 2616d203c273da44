package dev.parley.session;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;
import java.util.function.Function;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every call that makes a model generate counts against the user's generation limit (60 a minute by default, apart
 * from the 600 of the other calls): the JSON and form turns, regenerations and the one-off completions (their
 * {@code @Generation}), and the streamed turns (their Vert.x routes check it before anything is stored). A refused
 * turn stores nothing and answers the platform's 429. Calls come from a documentation address (the suite's loopback
 * is exempt), each probe as a user of its own with a full bucket.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(SessionStubs.class)
class GenerationLimitTest {
    private static final String MODEL = "openai/gpt-4o-mini";
    private static final String FROM = "203.0.113.44";

    @Inject
    DataSource db;

    @BeforeEach
    void stubs() {
        AuthServiceStub.resetToDefaults();
        SessionStubs.memoryUp();
    }

    private static String enabledUser(UUID id) {
        // an enabled user (unstubbed, the status check fails open, and hundreds of failures would open the circuit
        // breaker that other test classes of this JVM rely on)
        AuthServiceStub.server().stubFor(get("/internal/v1/users/" + id + "/status").willReturn(okJson("{\"enabled\":true}")));
        return Tokens.user(id, "busy");
    }

    /**
     * Calls {@code call} (as a new user) until it is refused; the refusal, after checking it came from the generation
     * bucket once its 60 (plus what refilled meanwhile, one a second) were spent.
     */
    private static Response untilRefused(Function<RequestSpecification, Response> call) {
        String token = enabledUser(UUID.randomUUID());
        long start = System.nanoTime();
        for (int served = 0; served < 200; served++) {
            Response r = call.apply(given().auth().oauth2(token).header("X-Forwarded-For", FROM));
            if (r.statusCode() == 429) {
                double seconds = (System.nanoTime() - start) / 1e9;
                assertTrue(served >= 60 && served <= 60 + seconds + 2, served + " served in " + seconds + " s before the refusal");
                r.then().body("error.code", org.hamcrest.Matchers.equalTo("RATE_LIMITED"))
                        .body("error.details.scope", org.hamcrest.Matchers.equalTo("user_generations"))
                        .body("error.details.limit_per_minute", org.hamcrest.Matchers.equalTo(60))
                        .header("Retry-After", org.hamcrest.Matchers.notNullValue());
                return r;
            }
            assertTrue(r.statusCode() != 500, "no failure on the way: " + r.asString());
        }
        throw new AssertionError("never refused: not a generation call");
    }

    @Test
    void everyTurnMakingCallCountsAgainstTheGenerationLimit() {
        String nowhere = UUID.randomUUID().toString(); // each call is refused later (404): only the limit is exercised
        untilRefused(g -> g.contentType("application/json").body("{\"content\":\"hi\"}").post("/api/v1/sessions/" + nowhere + "/messages"));
        untilRefused(g -> g.multiPart("content", "hi").post("/api/v1/sessions/" + nowhere + "/messages"));
        untilRefused(g -> g.post("/api/v1/messages/" + nowhere + "/regenerate"));
        untilRefused(g -> g.contentType("application/json").body("{\"text\":\"hi\",\"session_id\":\"" + nowhere + "\"}")
                .post("/api/v1/llm/text-completion"));
        untilRefused(g -> g.multiPart("session_id", nowhere).multiPart("image", "p.png", TurnTestImages.PNG, "image/png")
                .post("/api/v1/llm/image-completion"));
        untilRefused(g -> g.contentType("application/json").accept("text/event-stream").body("{\"content\":\"hi\"}")
                .post("/api/v1/sessions/" + nowhere + "/messages"));
        untilRefused(g -> g.accept("text/event-stream").post("/api/v1/messages/" + nowhere + "/regenerate"));
        // the rest of the API keeps its own, larger bucket
        String token = enabledUser(UUID.randomUUID());
        for (int i = 0; i < 80; i++) {
            given().auth().oauth2(token).header("X-Forwarded-For", FROM).get("/api/v1/sessions").then().statusCode(200);
        }

        // importing history asks no model: 80 messages stored with generate:false, JSON and streamed, none refused
        String importer = enabledUser(UUID.randomUUID());
        String sid = given().auth().oauth2(importer).contentType("application/json").body("{\"title\":\"import\"}")
                .post("/api/v1/sessions").then().statusCode(201).extract().path("id");
        for (int i = 0; i < 80; i++) {
            var call = given().auth().oauth2(importer).header("X-Forwarded-For", FROM).contentType("application/json")
                    .body("{\"content\":\"line " + i + "\",\"generate\":false}");
            if (i % 2 == 1) {
                call = call.accept("text/event-stream");
            }
            call.post("/api/v1/sessions/" + sid + "/messages").then().statusCode(i % 2 == 1 ? 200 : 201);
        }
    }

    @Test
    void aRefusedStreamedTurnStoresNothing() throws Exception {
        UUID id = UUID.randomUUID();
        String token = enabledUser(id);
        SessionStubs.gateway().stubFor(get(urlPathEqualTo("/v1/models/" + MODEL)).willReturn(okJson(
                "{\"id\":\"" + MODEL + "\",\"object\":\"model\",\"created\":0,\"owned_by\":\"x\",\"context_window\":128000}")));
        SessionStubs.gateway().stubFor(post(urlPathEqualTo("/v1/chat/completions")).withHeader("X-Parley-User", equalTo(id.toString()))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(
                        dev.parley.testsupport.openai.OpenAiWire.fixture("chat-stream.sse"))));
        String s = given().auth().oauth2(token).header("X-Forwarded-For", FROM).contentType("application/json")
                .body("{\"model\":\"" + MODEL + "\",\"title\":\"t\"}").post("/api/v1/sessions").then().statusCode(201).extract().path("id");
        Response refused = null;
        int served = 0;
        while (refused == null && served < 200) {
            Response r = given().auth().oauth2(token).header("X-Forwarded-For", FROM).contentType("application/json")
                    .accept("text/event-stream").body("{\"content\":\"turn " + served + "\"}").post("/api/v1/sessions/" + s + "/messages");
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertEquals(200, r.statusCode(), r.asString());
                assertTrue(r.asString().contains("event: message.completed"), r.asString());
                served++;
            }
        }
        assertNotNull(refused, "refused within 200 streamed turns");
        assertTrue(refused.contentType().startsWith("application/json"), "the platform's 429, not a stream: " + refused.contentType());
        refused.then().body("error.code", org.hamcrest.Matchers.equalTo("RATE_LIMITED"))
                .body("error.details.scope", org.hamcrest.Matchers.equalTo("user_generations"))
                .body("request_id", org.hamcrest.Matchers.notNullValue());
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("select count(*) from messages where session_id = ?")) {
            ps.setObject(1, UUID.fromString(s));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(2L * served, rs.getLong(1), "two messages per served turn, none of the refused one");
            }
        }
    }
}
