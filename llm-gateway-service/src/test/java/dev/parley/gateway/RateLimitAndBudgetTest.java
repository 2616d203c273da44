package dev.parley.gateway;

import static dev.parley.gateway.GatewayFixtures.accessKey;
import static dev.parley.gateway.GatewayFixtures.json;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.parley.gateway.service.BudgetGuard;
import dev.parley.gateway.service.ratelimit.RedisWindows;
import dev.parley.gateway.service.ratelimit.Windows;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.OpenAiSpec;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rate limits (requests and tokens per minute, per user and per access key, counted in a real redis-server shared
 * with a second limiter) and budget refusals from usage-service, as a client of the OpenAI surface sees them.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class RateLimitAndBudgetTest {
    private static final String ECHO = "{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";

    @Inject
    BudgetGuard budget;

    private UUID user;
    private String key;
    private String admin;

    @BeforeEach
    void freshUser() {
        AuthServiceStub.resetToDefaults();
        GatewayStubs.acceptUsage();
        budget.invalidateAll();
        user = UUID.randomUUID();
        key = accessKey(user);
        UUID adminId = UUID.randomUUID();
        admin = Tokens.user(adminId, "root", "admin");
        AuthServiceStub.server().stubFor(WireMock.get(WireMock.urlEqualTo("/internal/v1/users/" + adminId + "/status"))
                .willReturn(WireMock.aResponse().withHeader("Content-Type", "application/json").withBody("{\"enabled\":true}")));
    }

    private Response chat(String body) {
        return given().auth().oauth2(key).contentType("application/json").body(body).post("/v1/chat/completions");
    }

    private void limitUser(Object rpm, Object tpm) {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"requests_per_minute\":" + rpm + ",\"tokens_per_minute\":" + tpm + "}")
                .put("/api/v1/rate-limits/users/" + user).then().statusCode(200);
    }

    @Test
    void withoutLimitsNoRateLimitHeadersAreSent() {
        Response r = chat(ECHO);
        r.then().statusCode(200);
        assertNull(r.getHeader("x-ratelimit-limit-requests"));
    }

    @Test
    void twoInstancesSharingRedisNeverAdmitMoreThanTheLimitInAMinute() throws Exception {
        limitUser(10, "null");
        Vertx vertx = Vertx.vertx();
        Redis redis = Redis.createClient(vertx, new io.vertx.redis.client.RedisOptions()
                .setConnectionString(EmbeddedRedis.url()).setMaxPoolSize(32).setMaxPoolWaiting(1000));
        Windows other = new RedisWindows(vertx, redis, 2000);
        List<Windows.Subject> subjects = List.of(new Windows.Subject("parley:rl:{" + user + "}:u", 10, -1));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                results.add(pool.submit((Callable<Boolean>) () -> {
                    Response r = chat(ECHO);
                    if (r.statusCode() == 429) {
                        assertRateLimitedAnswer(r);
                        return false;
                    }
                    assertEquals(200, r.statusCode(), r.asString());
                    return true;
                }));
                results.add(pool.submit((Callable<Boolean>) () -> other.acquire(subjects, UUID.randomUUID().toString(), 0)
                        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).allowed()));
            }
            int admitted = 0;
            for (Future<Boolean> f : results) {
                admitted += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(10, admitted, "exactly the limit, across both instances");
        } finally {
            pool.shutdownNow();
            redis.close();
            vertx.close();
        }
    }

    private static void assertRateLimitedAnswer(Response r) {
        OpenAiSpec.get().assertValid("ErrorResponse", r.asString());
        JsonNode error = json(r.asString()).get("error");
        assertEquals("rate_limit_exceeded", error.path("code").asText());
        assertEquals("requests", error.path("type").asText());
        assertTrue(error.path("message").asText().startsWith("Rate limit reached for requests per minute (user): limit 10"),
                error.toString());
        long retryAfter = Long.parseLong(r.getHeader("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals("10", r.getHeader("x-ratelimit-limit-requests"));
        assertEquals("0", r.getHeader("x-ratelimit-remaining-requests"));
        assertNotNull(r.getHeader("x-ratelimit-reset-requests"));
    }

    @Test
    void tokensPerMinuteReservesTheEstimateAndCorrectsItToTheRealCount() throws Exception {
        limitUser("null", 100);
        String body = "{\"model\":\"parley/echo\",\"max_tokens\":60,\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
        Response first = chat(body);
        first.then().statusCode(200);
        long reservedFirst = 100 - Long.parseLong(first.getHeader("x-ratelimit-remaining-tokens"));
        assertTrue(reservedFirst > 60, "prompt plus max_tokens reserved, was " + reservedFirst);
        JsonNode usage = json(first.asString()).get("usage");
        long real = usage.path("prompt_tokens").asLong() + usage.path("completion_tokens").asLong();
        assertTrue(real < reservedFirst);
        Thread.sleep(300); // the correction is sent when the call ends, after its answer
        // Two reservations would not fit in 100; the corrected first call leaves room for the second.
        Response second = chat(body);
        second.then().statusCode(200);
        assertEquals(100 - real - reservedFirst, Long.parseLong(second.getHeader("x-ratelimit-remaining-tokens")));
        assertEquals("100", second.getHeader("x-ratelimit-limit-tokens"));

        Response tooLarge = chat("{\"model\":\"parley/echo\",\"max_tokens\":500,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        tooLarge.then().statusCode(429);
        assertEquals("request_too_large", json(tooLarge.asString()).at("/error/code").asText());
        assertEquals("tokens", json(tooLarge.asString()).at("/error/type").asText());
        assertNull(tooLarge.getHeader("Retry-After"), "waiting would not help");
    }

    @Test
    void anAccessKeyLimitAppliesOnTopOfTheUsers() {
        UUID keyId = accessKeyIdOf();
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"requests_per_minute\":2,\"tokens_per_minute\":null}")
                .put("/api/v1/rate-limits/access-keys/" + keyId).then().statusCode(200);
        chat(ECHO).then().statusCode(200);
        chat(ECHO).then().statusCode(200);
        Response third = chat(ECHO);
        third.then().statusCode(429);
        assertTrue(json(third.asString()).at("/error/message").asText().contains("(access key)"));
        // The user's own token (not the key) is not limited.
        given().auth().oauth2(Tokens.user(user, "someone")).contentType("application/json").body(ECHO)
                .post("/v1/chat/completions").then().statusCode(200);
    }

    /** The id auth-service's stub gives the access key: the usage event of one call names it. */
    private UUID accessKeyIdOf() {
        chat(ECHO).then().statusCode(200);
        String id = GatewayFixtures.usageEventsOf(user, 1).get(0).path("access_key_id").asText();
        GatewayStubs.acceptUsage();
        return UUID.fromString(id);
    }

    @Test
    void whenRedisIsDownEachReplicaCountsOnItsOwnAndTheMissIsCounted() {
        limitUser(2, "null");
        double before = metric("parley_gateway_rate_limit_redis_errors_total");
        EmbeddedRedis.stopServer();
        try {
            chat(ECHO).then().statusCode(200);
            chat(ECHO).then().statusCode(200);
            chat(ECHO).then().statusCode(429);
        } finally {
            EmbeddedRedis.restart();
        }
        assertTrue(metric("parley_gateway_rate_limit_redis_errors_total") >= before + 3);
    }

    @Test
    void theAdminApiValidatesAndOnlyAdminsMayUseIt() {
        given().auth().oauth2(Tokens.user(user, "someone")).get("/api/v1/rate-limits/default").then().statusCode(403);
        given().get("/api/v1/rate-limits/default").then().statusCode(401);
        given().auth().oauth2(key).get("/api/v1/rate-limits/default").then().statusCode(403);
        Response typo = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"request_per_minute\":5,\"tokens_per_minute\":null}").put("/api/v1/rate-limits/users/" + user);
        typo.then().statusCode(400);
        assertEquals("VALIDATION_FAILED", json(typo.asString()).at("/error/code").asText());
        given().auth().oauth2(admin).contentType("application/json").body("{\"requests_per_minute\":-1,\"tokens_per_minute\":null}")
                .put("/api/v1/rate-limits/users/" + user).then().statusCode(400);
        given().auth().oauth2(admin).get("/api/v1/rate-limits/users/not-a-uuid").then().statusCode(400);

        JsonNode before = json(given().auth().oauth2(admin).get("/api/v1/rate-limits/users/" + user).asString());
        assertEquals("default", before.path("source").asText());
        limitUser(7, 7000);
        JsonNode set = json(given().auth().oauth2(admin).get("/api/v1/rate-limits/users/" + user).asString());
        assertEquals(7, set.path("requests_per_minute").asLong());
        assertEquals(7000, set.path("tokens_per_minute").asLong());
        assertEquals("admin", set.path("source").asText());
        given().auth().oauth2(admin).delete("/api/v1/rate-limits/users/" + user).then().statusCode(204);
        given().auth().oauth2(admin).delete("/api/v1/rate-limits/users/" + user).then().statusCode(404);
        assertEquals("default", json(given().auth().oauth2(admin).get("/api/v1/rate-limits/users/" + user).asString())
                .path("source").asText());
    }

    @Test
    void theAdminApiNamesWhatIsWrongWithABody() {
        String url = "/api/v1/rate-limits/users/" + user;
        assertBadBody(url, "{\"requests_per_minute\":5,\"tokens_per_minute\":null,\"burst\":3}", "burst", "unknown field");
        assertBadBody(url, "{\"requests_per_minute\":5}", "tokens_per_minute", "required (null for no limit)");
        assertBadBody(url, "{\"requests_per_minute\":\"5\",\"tokens_per_minute\":null}", "requests_per_minute", "wrong type or format");
        assertBadBody(url, "{\"requests_per_minute\":1.5,\"tokens_per_minute\":null}", "requests_per_minute", "wrong type or format");
        assertBadBody(url, "{\"requests_per_minute\":true,\"tokens_per_minute\":null}", "requests_per_minute", "wrong type or format");
        assertBadBody(url, "{\"requests_per_minute\":null,\"tokens_per_minute\":-2}", "tokens_per_minute", "must be a non-negative integer or null");
        assertBadBody(url, "[1,2]", null, null, "INVALID_JSON");
        assertBadBody("/api/v1/rate-limits/default", "", null, null);
        // null for both is a valid body: no limit, even where the default has one
        given().auth().oauth2(admin).contentType("application/json").body("{\"requests_per_minute\":null,\"tokens_per_minute\":null}")
                .put(url).then().statusCode(200);
        given().auth().oauth2(admin).delete(url).then().statusCode(204);
    }

    private void assertBadBody(String url, String body, String field, String detail) {
        assertBadBody(url, body, field, detail, "VALIDATION_FAILED");
    }

    private void assertBadBody(String url, String body, String field, String detail, String code) {
        Response r = given().auth().oauth2(admin).contentType("application/json").body(body).put(url);
        r.then().statusCode(400);
        JsonNode error = json(r.asString()).path("error");
        assertEquals(code, error.path("code").asText(), body + " → " + r.asString());
        if (field != null) {
            assertEquals(detail, error.path("details").path("fields").path(field).asText(), body + " → " + r.asString());
            assertTrue(error.path("message").asText().contains(field), r.asString());
        }
    }

    @Test
    void overAHardBudgetTheCallIsRefusedWithBudgetExceededBeforeAnyProviderCall() {
        GatewayStubs.usage().stubFor(WireMock.get(WireMock.urlPathEqualTo("/internal/v1/budget-check"))
                .withQueryParam("user_id", WireMock.equalTo(user.toString()))
                .willReturn(WireMock.aResponse().withHeader("Content-Type", "application/json")
                        .withBody("{\"allowed\":false,\"reason\":\"monthly hard budget of 50.00 USD reached\"}")));
        Response r = chat(ECHO);
        r.then().statusCode(429);
        OpenAiSpec.get().assertValid("ErrorResponse", r.asString());
        JsonNode error = json(r.asString()).get("error");
        assertEquals("budget_exceeded", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("monthly hard budget of 50.00 USD reached"), error.toString());
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> checks = GatewayStubs.usage().findAll(
                WireMock.getRequestedFor(WireMock.urlPathEqualTo("/internal/v1/budget-check")));
        assertTrue(checks.stream().anyMatch(c -> c.getUrl().contains("access_key_id=")), "the access key is named");
        chat(ECHO).then().statusCode(429);
        assertEquals(1, GatewayStubs.usage().findAll(WireMock.getRequestedFor(WireMock.urlPathEqualTo("/internal/v1/budget-check"))
                .withQueryParam("user_id", WireMock.equalTo(user.toString()))).size(), "the answer is cached");
    }

    @Test
    void whenUsageServiceCannotAnswerCallsGoOnAndTheMissIsCounted() {
        GatewayStubs.usage().stubFor(WireMock.get(WireMock.urlPathEqualTo("/internal/v1/budget-check"))
                .willReturn(WireMock.aResponse().withStatus(503)));
        double before = metric("parley_gateway_budget_check_unavailable_total");
        chat(ECHO).then().statusCode(200);
        chat(ECHO).then().statusCode(200);
        assertEquals(before + 2, metric("parley_gateway_budget_check_unavailable_total"));
        assertEquals(1, GatewayStubs.usage().findAll(WireMock.getRequestedFor(WireMock.urlPathEqualTo("/internal/v1/budget-check"))).size(),
                "after a failure the gateway stops asking for a while");
    }

    private static double metric(String name) {
        String all = given().get("/q/metrics").asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(all);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }
}
