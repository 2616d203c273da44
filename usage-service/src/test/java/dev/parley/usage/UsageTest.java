package dev.parley.usage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ingest (idempotent under redelivery and concurrent delivery), costs from the catalogue, reports, isolation. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
class UsageTest {
    static final String GATEWAY = Tokens.service("llm-gateway-service");
    private UUID user;
    private String token;
    private final String admin = Tokens.user(UUID.randomUUID(), "root", "admin");

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
    }

    static Map<String, Object> event(UUID user, Instant at, String provider, String model, long prompt, long completion) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("request_id", UUID.randomUUID().toString());
        e.put("occurred_at", at.toString());
        e.put("user_id", user.toString());
        e.put("access_key_id", null);
        e.put("session_id", null);
        e.put("message_id", null);
        e.put("provider", provider);
        e.put("model", model);
        e.put("deployment", provider + "/" + model);
        e.put("prompt_tokens", prompt);
        e.put("completion_tokens", completion);
        e.put("cached_tokens", 0);
        e.put("reasoning_tokens", 0);
        e.put("cache_write_tokens", 0);
        e.put("images", 0);
        e.put("latency_ms", 420);
        e.put("ttft_ms", null);
        e.put("status", "success");
        e.put("streamed", false);
        return e;
    }

    static JsonPath send(List<Map<String, Object>> events) {
        return given().auth().oauth2(GATEWAY).contentType("application/json").body(Map.of("events", events))
                .post("/internal/v1/usage-events").then().statusCode(202).extract().jsonPath();
    }

    /** A price for a model of our own, so the arithmetic is known whatever the bundled catalogue says. */
    static void price(String model, String in, String out, Instant from) {
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "root", "admin")).contentType("application/json")
                .body("{\"provider\":\"test\",\"model\":\"" + model + "\",\"match\":\"exact\",\"input_per_mtok\":" + in
                        + ",\"output_per_mtok\":" + out + ",\"effective_from\":\"" + from + "\"}")
                .post("/api/v1/pricing").then().statusCode(201);
    }

    private JsonPath cost(String token, String query) {
        return given().auth().oauth2(token).get("/api/v1/usage/cost-estimation" + query).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aRedeliveredBatchIsStoredOnceAndCostsComeFromThePriceInForce() {
        String model = "m-" + UUID.randomUUID();
        price(model, "1", "2", Instant.parse("2026-01-01T00:00:00Z"));
        price(model, "10", "20", Instant.parse("2026-06-01T00:00:00Z"));
        List<Map<String, Object>> batch = List.of(
                event(user, Instant.parse("2026-03-10T10:00:00Z"), "test", model, 1_000_000, 500_000),   // 1 + 1 = 2 USD
                event(user, Instant.parse("2026-07-10T10:00:00Z"), "test", model, 100_000, 50_000));     // 1 + 1 = 2 USD
        JsonPath first = send(batch);
        assertEquals(2, first.getInt("stored"));
        JsonPath again = send(batch);
        assertEquals(0, again.getInt("stored"));
        assertEquals(2, again.getInt("duplicates"));
        JsonPath c = cost(token, "?group_by=model");
        assertEquals(0, new BigDecimal("4").compareTo(new BigDecimal(c.getString("total_cost_usd"))), c.prettify());
        assertEquals(2, c.getInt("requests"));
        assertEquals(1_100_000, c.getLong("prompt_tokens"));
        assertEquals("test/" + model, c.getString("breakdown[0].model"));
    }

    @Test
    void concurrentDeliveriesOfTheSameEventsStoreAndCountThemOnce() throws Exception {
        String model = "m-" + UUID.randomUUID();
        price(model, "1", "1", Instant.parse("2026-01-01T00:00:00Z"));
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add(event(user, Instant.parse("2026-05-05T12:00:00Z").plusSeconds(i), "test", model, 1_000, 0));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<JsonPath>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Callable<JsonPath> call = () -> send(batch);
            results.add(pool.submit(call));
        }
        int stored = 0;
        for (Future<JsonPath> f : results) {
            stored += f.get().getInt("stored");
        }
        pool.shutdown();
        assertEquals(200, stored, "every event stored by exactly one delivery");
        JsonPath c = cost(token, "?from=2026-05-05&to=2026-05-05");
        assertEquals(200, c.getInt("requests"));
        assertEquals(0, new BigDecimal("0.2").compareTo(new BigDecimal(c.getString("total_cost_usd"))));
    }

    @Test
    void anUnpricedModelIsStoredWithoutACostAndCountedNeverAsZero() {
        String model = "unknown-" + UUID.randomUUID();
        UUID message = UUID.randomUUID();
        Map<String, Object> e = event(user, Instant.parse("2026-04-01T08:00:00Z"), "nobody", model, 10, 10);
        e.put("message_id", message.toString());
        send(List.of(e));
        JsonPath m = given().auth().oauth2(token).get("/api/v1/usage/messages/" + message).then().statusCode(200).extract().jsonPath();
        assertNull(m.get("data[0].cost_usd"));
        assertTrue(m.getBoolean("unpriced"));
        assertEquals(1, cost(token, "").getInt("unpriced_requests"));
        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.contains("parley_usage_unpriced_events_total{model=\"" + model + "\",provider=\"nobody\"}"), "metric");
    }

    @Test
    void theBundledCatalogueIsLoadedAndPricesParleysModelsAtZero() {
        JsonPath all = given().auth().oauth2(admin).get("/api/v1/pricing").then().statusCode(200).extract().jsonPath();
        assertTrue(all.getList("data").size() >= 40, "the bundled catalogue");
        send(List.of(event(user, Instant.parse("2026-04-02T08:00:00Z"), "parley", "echo", 1000, 1000)));
        JsonPath c = cost(token, "?from=2026-04-02&to=2026-04-02");
        assertEquals(1, c.getInt("requests"));
        assertEquals(0, c.getInt("unpriced_requests"));
        assertEquals(0, BigDecimal.ZERO.compareTo(new BigDecimal(c.getString("total_cost_usd"))));
        // pricing is for admins only; a bad price is a 400 and nothing is stored
        given().auth().oauth2(token).get("/api/v1/pricing").then().statusCode(403);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"provider\":\"test\",\"model\":\"neg\",\"input_per_mtok\":-1,\"output_per_mtok\":1}").post("/api/v1/pricing")
                .then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"provider\":\"test\",\"model\":\"x\",\"input_per_mtok\":1,\"output_per_mtok\":1,\"colour\":\"red\"}")
                .post("/api/v1/pricing").then().statusCode(400);
    }

    @Test
    void aPriceBodyIsCheckedByFieldAndOnlyAdminsGetThatFar() {
        String body = "{\"provider\":\"test\",\"model\":\"strict-" + UUID.randomUUID() + "\",\"input_per_mtok\":1,\"output_per_mtok\":1";
        given().auth().oauth2(token).contentType("application/json").body("{}").post("/api/v1/pricing").then().statusCode(403);
        given().auth().oauth2(token).contentType("application/json").body("{}").post("/api/v1/pricing/recompute").then().statusCode(403);
        given().auth().oauth2(admin).contentType("application/json").body(body + ",\"cached_input_per_mtok\":-1}").post("/api/v1/pricing")
                .then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"))
                .body("error.details.fields.cached_input_per_mtok", equalTo("must be from 0 to 10000"));
        given().auth().oauth2(admin).contentType("application/json").body(body + ",\"match\":\"fuzzy\"}").post("/api/v1/pricing")
                .then().statusCode(400).body("error.details.fields", org.hamcrest.Matchers.hasKey("match"));
        given().auth().oauth2(admin).contentType("application/json").body(body + ",\"effective_from\":\"yesterday\"}").post("/api/v1/pricing")
                .then().statusCode(400).body("error.details.fields", org.hamcrest.Matchers.hasKey("effective_from"));
        given().auth().oauth2(admin).contentType("application/json").body(body + ",\"colour\":\"red\"}").post("/api/v1/pricing")
                .then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED")).body("error.details.fields.colour", equalTo("unknown field"));
        for (String field : new String[] {"per_image", "effective_from", "source"}) {
            String wrong = field.equals("per_image") ? "\"0.04\"" : field.equals("effective_from") ? "1767225600" : "true";
            given().auth().oauth2(admin).contentType("application/json").body(body + ",\"" + field + "\":" + wrong + "}").post("/api/v1/pricing")
                    .then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"))
                    .body("error.details.fields." + field, equalTo("wrong type or format"));
        }
        given().auth().oauth2(admin).contentType("application/json").body("[]").post("/api/v1/pricing")
                .then().statusCode(400).body("error.code", equalTo("INVALID_JSON"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"from\":\"2026-01-01\",\"to\":\"2026-01-02\",\"too\":1}")
                .post("/api/v1/pricing/recompute").then().statusCode(400).body("error.details.fields.too", equalTo("unknown field"));
        given().auth().oauth2(admin).contentType("application/json").body(body + "}").post("/api/v1/pricing").then().statusCode(201)
                .body("match", equalTo("exact")).body("effective_from", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void anEnvelopeThatIsNotABatchIsRefusedWhole() {
        given().auth().oauth2(GATEWAY).contentType("application/json").body("{}").post("/internal/v1/usage-events")
                .then().statusCode(400).body("error.details.fields", org.hamcrest.Matchers.hasKey("events"));
        given().auth().oauth2(GATEWAY).contentType("application/json").body("[]").post("/internal/v1/usage-events").then().statusCode(400);
        List<Map<String, Object>> tooMany = new ArrayList<>();
        Map<String, Object> one = event(user, Instant.parse("2026-10-02T10:00:00Z"), "parley", "echo", 1, 1);
        for (int i = 0; i < 5001; i++) {
            tooMany.add(one);
        }
        given().auth().oauth2(GATEWAY).contentType("application/json").body(Map.of("events", tooMany)).post("/internal/v1/usage-events")
                .then().statusCode(400).body("error.details.fields", org.hamcrest.Matchers.hasKey("events"));
        // an element that is not an object is one rejected event, not a bad batch
        JsonPath r = given().auth().oauth2(GATEWAY).contentType("application/json")
                .body("{\"events\":[42,null," + new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(one) + "]}")
                .post("/internal/v1/usage-events").then().statusCode(202).extract().jsonPath();
        assertEquals(1, r.getInt("stored") + r.getInt("duplicates"));
        assertEquals(2, r.getList("rejected").size(), r.prettify());
    }

    @Test
    void reportsGroupByDayModelProviderAndSessionAndCutPartialDaysExactly() {
        String model = "m-" + UUID.randomUUID();
        price(model, "1", "0", Instant.parse("2026-01-01T00:00:00Z"));
        UUID session = UUID.randomUUID();
        List<Map<String, Object>> batch = new ArrayList<>();
        batch.add(event(user, Instant.parse("2026-08-01T23:30:00Z"), "test", model, 1_000_000, 0));
        batch.add(event(user, Instant.parse("2026-08-02T00:30:00Z"), "test", model, 1_000_000, 0));
        batch.add(event(user, Instant.parse("2026-08-02T13:00:00Z"), "test", model, 1_000_000, 0));
        Map<String, Object> inSession = event(user, Instant.parse("2026-08-03T09:00:00Z"), "test", model, 1_000_000, 0);
        inSession.put("session_id", session.toString());
        inSession.put("status", "error");
        inSession.put("latency_ms", 5000);
        batch.add(inSession);
        send(batch);
        JsonPath byDay = cost(token, "?from=2026-08-01&to=2026-08-03&group_by=day");
        assertEquals(List.of("2026-08-01", "2026-08-02", "2026-08-03"), byDay.getList("breakdown.day"));
        assertEquals(List.of(1, 2, 1), byDay.getList("breakdown.requests"));
        // from the middle of a day to the middle of another: the edges come from the raw events
        JsonPath partial = cost(token, "?from=2026-08-01T23:00:00Z&to=2026-08-02T12:00:00Z");
        assertEquals(2, partial.getInt("requests"));
        assertEquals(0, new BigDecimal("2").compareTo(new BigDecimal(partial.getString("total_cost_usd"))));
        // whole days from the rollups plus both partial edges from the raw events: 23:30 on the 1st, all of the 2nd, not 09:00 on the 3rd
        JsonPath spanning = cost(token, "?from=2026-08-01T23:00:00Z&to=2026-08-03T05:00:00Z&group_by=day");
        assertEquals(List.of("2026-08-01", "2026-08-02"), spanning.getList("breakdown.day"));
        assertEquals(3, spanning.getInt("requests"));
        JsonPath bySession = cost(token, "?session_id=" + session);
        assertEquals(1, bySession.getInt("requests"));
        JsonPath byProvider = cost(token, "?from=2026-08-01&to=2026-08-03&group_by=provider");
        assertEquals(List.of("test"), byProvider.getList("breakdown.provider"));
        JsonPath stats = given().auth().oauth2(token).get("/api/v1/usage/stats?from=2026-08-01&to=2026-08-03").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(3, stats.getList("data").size());
        assertEquals(1.0, stats.getDouble("data[2].error_rate"));
        assertEquals(5000, stats.getInt("data[2].mean_latency_ms"));
        long p95 = stats.getLong("data[2].p95_latency_ms");
        assertTrue(p95 > 4000 && p95 <= 8000, "p95 within the 4–8 s bucket: " + p95);
        // bad input
        given().auth().oauth2(token).get("/api/v1/usage/cost-estimation?group_by=colour").then().statusCode(400);
        given().auth().oauth2(token).get("/api/v1/usage/cost-estimation?from=yesterday").then().statusCode(400);
        given().auth().oauth2(token).get("/api/v1/usage/cost-estimation?from=2026-08-03&to=2026-08-01").then().statusCode(400);
    }

    @Test
    void usersSeeOnlyTheirOwnUsageAndAdminsAnyonesOrEveryones() {
        String model = "m-" + UUID.randomUUID();
        price(model, "1", "0", Instant.parse("2026-01-01T00:00:00Z"));
        UUID message = UUID.randomUUID();
        Map<String, Object> e = event(user, Instant.parse("2026-09-01T10:00:00Z"), "test", model, 1_000_000, 0);
        e.put("message_id", message.toString());
        send(List.of(e));
        UUID bob = UUID.randomUUID();
        String bobToken = Tokens.user(bob, "bob");
        JsonPath bobs = cost(bobToken, "");
        assertEquals(0, bobs.getInt("requests"));
        assertEquals(0, BigDecimal.ZERO.compareTo(new BigDecimal(bobs.getString("total_cost_usd"))));
        given().auth().oauth2(bobToken).get("/api/v1/usage/cost-estimation?user_id=" + user).then().statusCode(403);
        given().auth().oauth2(bobToken).get("/api/v1/usage/cost-estimation?user_id=all").then().statusCode(403);
        given().auth().oauth2(bobToken).get("/api/v1/usage/messages/" + message).then().statusCode(404);
        assertEquals(1, cost(admin, "?user_id=" + user).getInt("requests"));
        assertTrue(cost(admin, "?user_id=all&from=2026-09-01&to=2026-09-01&model=" + model).getInt("requests") >= 1);
        given().auth().oauth2(token).get("/api/v1/usage/messages/" + message).then().statusCode(200).body("data", org.hamcrest.Matchers.hasSize(1));
    }

    @Test
    void badEventsAreRejectedOneByOneAndOnlyServicesMayDeliver() {
        Map<String, Object> good = event(user, Instant.parse("2026-10-01T10:00:00Z"), "parley", "echo", 1, 1);
        Map<String, Object> bad = event(user, Instant.parse("2026-10-01T10:00:00Z"), "parley", "echo", -5, 1);
        Map<String, Object> noUser = event(user, Instant.parse("2026-10-01T10:00:00Z"), "parley", "echo", 1, 1);
        noUser.remove("user_id");
        Map<String, Object> absurd = event(user, Instant.parse("2026-10-01T10:00:00Z"), "parley", "echo", 1_000_000_000_000L, 1);
        Map<String, Object> future = event(user, Instant.parse("2300-01-01T00:00:00Z"), "parley", "echo", 1, 1);
        JsonPath r = send(List.of(good, bad, noUser, absurd, future));
        assertEquals(1, r.getInt("stored"));
        assertEquals(4, r.getList("rejected").size(), "each bad event alone, the batch goes on: " + r.prettify());
        given().auth().oauth2(token).contentType("application/json").body(Map.of("events", List.of(good)))
                .post("/internal/v1/usage-events").then().statusCode(403);
        given().auth().oauth2(GATEWAY).contentType("application/json").body("{\"events\":5}").post("/internal/v1/usage-events")
                .then().statusCode(400);
    }
}
