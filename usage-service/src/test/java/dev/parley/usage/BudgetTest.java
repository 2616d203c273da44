package dev.parley.usage;

import static dev.parley.usage.UsageTest.event;
import static dev.parley.usage.UsageTest.price;
import static dev.parley.usage.UsageTest.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Budgets: hard limits stop calls at the limit, soft ones are recorded, who may set which, price changes and recompute. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
class BudgetTest {
    private UUID user;
    private String token;
    private final String admin = Tokens.user(UUID.randomUUID(), "root", "admin");
    private String model;

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        token = Tokens.user(user, "alice");
        model = "m-" + UUID.randomUUID();
        price(model, "1", "0", Instant.parse("2020-01-01T00:00:00Z")); // 1 USD per million prompt tokens
    }

    private static double metric(String series) {
        for (String line : given().get("/q/metrics").asString().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split("\\s+")[0]); // an exemplar may follow
            }
        }
        return 0;
    }

    private JsonPath check(UUID key) {
        return given().auth().oauth2(UsageTest.GATEWAY).queryParam("user_id", user.toString())
                .queryParam("access_key_id", key == null ? "" : key.toString()).get("/internal/v1/budget-check")
                .then().statusCode(200).extract().jsonPath();
    }

    /** One call now costing {@code usd} (prompt tokens at 1 USD per million). */
    private void spend(double usd, UUID key) {
        Map<String, Object> e = event(user, Instant.now(), "test", model, Math.round(usd * 1_000_000), 0);
        if (key != null) {
            e.put("access_key_id", key.toString());
        }
        send(List.of(e));
    }

    @Test
    void aHardDailyBudgetStopsCallsAtTheLimitAndASoftOneIsRecorded() {
        given().auth().oauth2(token).contentType("application/json")
                .body("{\"daily\":{\"soft_usd\":0.5,\"hard_usd\":1.0},\"monthly\":null}").put("/api/v1/budgets/me")
                .then().statusCode(200).body("daily.hard_usd", equalTo(1.0f)).body("effective.daily.hard_usd", equalTo(1.0f));
        assertTrue(check(null).getBoolean("allowed"));
        String soft = "parley_usage_budget_crossings_total{kind=\"user\",level=\"soft\",period=\"daily\"}";
        double before = metric(soft);
        spend(0.6, null);
        assertTrue(check(null).getBoolean("allowed"), "over the soft limit only");
        assertEquals(before + 1, metric(soft), "the soft crossing counted once");
        spend(0.1, null);
        assertEquals(before + 1, metric(soft), "and not again while the total stays over it");
        spend(0.3, null); // exactly at the hard limit
        JsonPath refused = check(null);
        assertEquals(false, refused.getBoolean("allowed"));
        assertTrue(refused.getString("reason").contains("daily budget of 1"), refused.prettify());
        given().auth().oauth2(token).get("/api/v1/budgets/me").then().statusCode(200)
                .body("spent.today_usd", equalTo(1.0f));
        // another user is not affected
        assertTrue(given().auth().oauth2(UsageTest.GATEWAY).queryParam("user_id", UUID.randomUUID().toString())
                .get("/internal/v1/budget-check").then().statusCode(200).extract().jsonPath().getBoolean("allowed"));
    }

    @Test
    void aUsersOwnBudgetOnlyLowersWhatAnAdminOrTheDefaultAllows() {
        given().auth().oauth2(admin).contentType("application/json").body("{\"monthly\":{\"soft_usd\":null,\"hard_usd\":2}}")
                .put("/api/v1/budgets/users/" + user).then().statusCode(200).body("effective.monthly.hard_usd", equalTo(2.0f));
        given().auth().oauth2(token).contentType("application/json").body("{\"monthly\":{\"hard_usd\":50}}").put("/api/v1/budgets/me")
                .then().statusCode(200).body("effective.monthly.hard_usd", equalTo(2.0f));
        spend(2.0, null);
        assertEquals(false, check(null).getBoolean("allowed"), "the admin's 2 USD holds although the user asked for 50");
        // only admins set other users' budgets and the default; a soft limit above the hard one is refused
        given().auth().oauth2(token).contentType("application/json").body("{}").put("/api/v1/budgets/users/" + user).then().statusCode(403);
        given().auth().oauth2(token).contentType("application/json").body("{}").put("/api/v1/budgets/default").then().statusCode(403);
        given().auth().oauth2(token).contentType("application/json").body("{\"daily\":{\"soft_usd\":5,\"hard_usd\":1}}")
                .put("/api/v1/budgets/me").then().statusCode(400);
        given().auth().oauth2(token).contentType("application/json").body("{\"daily\":{\"hard_usd\":-1}}")
                .put("/api/v1/budgets/me").then().statusCode(400);
    }

    @Test
    void aBudgetBodyIsStrictAndItsProblemsNameTheFieldAsSent() {
        given().auth().oauth2(token).contentType("application/json").body("{\"daily\":{\"hard_usd\":3,\"colour\":\"red\"}}")
                .put("/api/v1/budgets/me").then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"))
                .body("error.details.fields.'daily.colour'", equalTo("unknown field"));
        given().auth().oauth2(token).contentType("application/json").body("{\"weekly\":null}")
                .put("/api/v1/budgets/me").then().statusCode(400).body("error.details.fields.weekly", equalTo("unknown field"));
        given().auth().oauth2(token).contentType("application/json").body("{\"daily\":{\"hard_usd\":-1}}")
                .put("/api/v1/budgets/me").then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"))
                .body("error.details.fields", org.hamcrest.Matchers.hasKey("daily.hard_usd"));
        given().auth().oauth2(token).contentType("application/json").body("{\"monthly\":{\"soft_usd\":5,\"hard_usd\":1}}")
                .put("/api/v1/budgets/me").then().statusCode(400).body("error.details.fields", org.hamcrest.Matchers.hasKey("soft_usd"));
        Map<String, String> wrongTypes = Map.of("{\"daily\":{\"hard_usd\":\"3\"}}", "daily.hard_usd", "{\"daily\":5}", "daily",
                "{\"daily\":[]}", "daily", "{\"daily\":{\"hard_usd\":true}}", "daily.hard_usd", "{\"monthly\":{\"soft_usd\":\"\"}}", "monthly.soft_usd");
        wrongTypes.forEach((wrong, field) -> given().auth().oauth2(token).contentType("application/json").body(wrong).put("/api/v1/budgets/me")
                .then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"))
                .body("error.details.fields.'" + field + "'", equalTo("wrong type or format")));
        given().auth().oauth2(token).contentType("application/json").body("[]").put("/api/v1/budgets/me")
                .then().statusCode(400).body("error.code", equalTo("INVALID_JSON"));
        given().auth().oauth2(token).contentType("application/json").put("/api/v1/budgets/me")
                .then().statusCode(400).body("error.code", equalTo("VALIDATION_FAILED"));
        // nothing of that was stored; absent and null both mean no limit
        given().auth().oauth2(token).contentType("application/json").body("{\"daily\":{\"hard_usd\":2},\"monthly\":null}")
                .put("/api/v1/budgets/me").then().statusCode(200).body("daily.hard_usd", equalTo(2.0f))
                .body("daily.soft_usd", org.hamcrest.Matchers.nullValue()).body("monthly.hard_usd", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void theBudgetBodyIsDescribedInOpenApi() {
        JsonPath doc = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
        String ref = doc.getString("paths.'/api/v1/budgets/me'.put.requestBody.content.'application/json'.schema.'$ref'");
        String name = ref.substring(ref.lastIndexOf('/') + 1);
        assertEquals(java.util.Set.of("daily", "monthly"), doc.getMap("components.schemas." + name + ".properties").keySet());
        String limits = doc.getString("components.schemas." + name + ".properties.daily.'$ref'");
        assertEquals(java.util.Set.of("soft_usd", "hard_usd"),
                doc.getMap("components.schemas." + limits.substring(limits.lastIndexOf('/') + 1) + ".properties").keySet());
    }

    @Test
    void anAccessKeysBudgetIsSetByItsOwnerAndStopsThatKeyOnly() {
        UUID key = UUID.randomUUID();
        spend(0.1, key); // the key's usage shows whose it is
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "mallory")).contentType("application/json")
                .body("{\"daily\":{\"hard_usd\":0.1}}").put("/api/v1/budgets/access-keys/" + key).then().statusCode(404);
        given().auth().oauth2(token).contentType("application/json").body("{\"daily\":{\"hard_usd\":0.1}}")
                .put("/api/v1/budgets/access-keys/" + key).then().statusCode(200).body("daily.hard_usd", equalTo(0.1f));
        JsonPath refused = check(key);
        assertEquals(false, refused.getBoolean("allowed"));
        assertTrue(refused.getString("reason").contains("access key"));
        assertTrue(check(null).getBoolean("allowed"), "the user's other calls go on");
        assertTrue(check(UUID.randomUUID()).getBoolean("allowed"));
        // an admin's key budget: the owner can lower it but not lift it
        UUID key2 = UUID.randomUUID();
        spend(0.05, key2);
        given().auth().oauth2(admin).contentType("application/json").body("{\"daily\":{\"hard_usd\":0.05}}")
                .put("/api/v1/budgets/access-keys/" + key2).then().statusCode(200);
        given().auth().oauth2(token).contentType("application/json").body("{\"daily\":null}")
                .put("/api/v1/budgets/access-keys/" + key2).then().statusCode(200).body("effective.daily.hard_usd", equalTo(0.05f));
        assertEquals(false, check(key2).getBoolean("allowed"), "the admin's limit holds");
    }

    @Test
    void aPriceChangeMidPeriodAppliesFromItsTimeAndARecomputeAppliesCorrections() {
        String m = "m-" + UUID.randomUUID();
        price(m, "1", "0", Instant.parse("2025-03-01T00:00:00Z"));
        price(m, "3", "0", Instant.parse("2025-03-15T00:00:00Z"));
        send(List.of(event(user, Instant.parse("2025-03-10T00:00:00Z"), "test", m, 1_000_000, 0),
                event(user, Instant.parse("2025-03-20T00:00:00Z"), "test", m, 1_000_000, 0)));
        JsonPath c = given().auth().oauth2(token).get("/api/v1/usage/cost-estimation?from=2025-03-01&to=2025-03-31&group_by=day")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(0, new BigDecimal("4").compareTo(new BigDecimal(c.getString("total_cost_usd"))), c.prettify());
        // the admin corrects the second price to 2 and recomputes March
        long id = given().auth().oauth2(admin).queryParam("provider", "test").queryParam("model", m).queryParam("at", "2025-03-20T00:00:00Z")
                .get("/api/v1/pricing").then().statusCode(200).extract().jsonPath().getLong("data[0].id");
        given().auth().oauth2(admin).contentType("application/json").body("{\"provider\":\"test\",\"model\":\"" + m
                        + "\",\"match\":\"exact\",\"input_per_mtok\":2,\"output_per_mtok\":0,\"effective_from\":\"2025-03-15T00:00:00Z\"}")
                .put("/api/v1/pricing/" + id).then().statusCode(200).body("input_per_mtok", equalTo(2.0f));
        given().auth().oauth2(admin).contentType("application/json").body("{\"from\":\"2025-03-01\",\"to\":\"2025-03-31\"}")
                .post("/api/v1/pricing/recompute").then().statusCode(200).body("changed", equalTo(1));
        JsonPath after = given().auth().oauth2(token).get("/api/v1/usage/cost-estimation?from=2025-03-01&to=2025-03-31")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(0, new BigDecimal("3").compareTo(new BigDecimal(after.getString("total_cost_usd"))), after.prettify());
        assertEquals(2, after.getInt("requests"), "the rollups were rebuilt, not doubled");
        // changing a price's identity is refused
        given().auth().oauth2(admin).contentType("application/json").body("{\"provider\":\"test\",\"model\":\"" + m
                        + "\",\"input_per_mtok\":2,\"output_per_mtok\":0,\"effective_from\":\"2025-04-01T00:00:00Z\"}")
                .put("/api/v1/pricing/" + id).then().statusCode(409);
    }

    /**
     * Rare-event counters exist at zero from the start (dashboards show 0, not "no data"), and the platform's HTTP
     * timer publishes histogram buckets for percentiles across replicas.
     */
    @Test
    void rareEventCountersAndHttpBucketsArePublishedFromTheStart() {
        String metrics = given().get("/q/metrics").asString();
        for (String kind : new String[] {"user", "key"}) {
            for (String period : new String[] {"daily", "monthly"}) {
                for (String level : new String[] {"soft", "hard"}) {
                    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("parley_usage_budget_crossings_total{")
                            && l.contains("kind=\"" + kind + "\"") && l.contains("period=\"" + period + "\"")
                            && l.contains("level=\"" + level + "\"")), kind + " " + period + " " + level);
                }
            }
        }
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("parley_usage_events_rejected_total ")), "rejected events");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("http_server_requests_seconds_bucket{")
                && l.contains("le=\"0.005\"")), "HTTP histogram buckets");
    }
}
