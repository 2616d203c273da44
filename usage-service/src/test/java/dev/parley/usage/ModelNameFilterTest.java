package dev.parley.usage;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Models are named provider/model everywhere users see them (/v1/models, group_by=model): the report filters take
 * that name (they compared it against the bare model column and answered zeros for calls that were made and
 * priced), keep the bare name where only one provider has it, and say which form to use when it is ambiguous.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
class ModelNameFilterTest {
    private String token;
    private UUID user;

    @BeforeEach
    void user() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        token = Tokens.user(user, "carol");
    }

    private JsonPath get(String path) {
        return given().auth().oauth2(token).get(path).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void costsAndStatsFilterByTheModelNamesUsersKnow() {
        String model = "m-" + UUID.randomUUID();
        UsageTest.price(model, "1", "2", Instant.parse("2026-01-01T00:00:00Z"));
        Instant at = Instant.parse("2026-11-20T10:00:00Z");
        UsageTest.send(List.of(
                UsageTest.event(user, at, "test", model, 1_000_000, 0),              // 1 USD
                UsageTest.event(user, at.plusSeconds(5), "test", model, 0, 500_000),  // 1 USD
                UsageTest.event(user, at.plusSeconds(9), "other", "unrelated", 5, 5)));

        JsonPath byFull = get("/api/v1/usage/cost-estimation?model=test/" + model);
        assertEquals(2, byFull.getInt("requests"), byFull.prettify());
        assertEquals(0, new BigDecimal("2").compareTo(new BigDecimal(byFull.getString("total_cost_usd"))));
        JsonPath byBare = get("/api/v1/usage/cost-estimation?model=" + model);
        assertEquals(2, byBare.getInt("requests"), "the bare name, served by one provider only");
        // the name group_by=model shows is the name the filter takes
        String shown = get("/api/v1/usage/cost-estimation?group_by=model").getString("breakdown.find { it.requests == 2 }.model");
        assertEquals("test/" + model, shown);
        assertEquals(2, get("/api/v1/usage/cost-estimation?model=" + shown).getInt("requests"));
        // within days (the raw events) and over whole days (the rollups) alike
        assertEquals(2, get("/api/v1/usage/cost-estimation?from=2026-11-20T09:00:00Z&to=2026-11-20T11:00:00Z&model=test/" + model).getInt("requests"));
        assertEquals(2, get("/api/v1/usage/cost-estimation?from=2026-11-01&to=2026-11-30&model=test/" + model).getInt("requests"));
        assertEquals(0, get("/api/v1/usage/cost-estimation?model=other/" + model).getInt("requests"), "another provider's");

        JsonPath stats = get("/api/v1/usage/stats?from=2026-11-01&to=2026-11-30&model=test/" + model);
        assertEquals(1, stats.getList("data").size(), stats.prettify());
        assertEquals("test/" + model, stats.getString("data[0].model"));
        assertEquals(2, stats.getInt("data[0].requests"));
    }

    @Test
    void aProvidersOwnModelNameWithASlashStillMatches() {
        String model = "meta-llama/Llama-" + UUID.randomUUID();
        UsageTest.send(List.of(UsageTest.event(user, Instant.parse("2026-11-21T10:00:00Z"), "my-vllm", model, 10, 10)));
        assertEquals(1, get("/api/v1/usage/cost-estimation?model=my-vllm/" + model).getInt("requests"));
        assertEquals(1, get("/api/v1/usage/cost-estimation?model=" + model).getInt("requests"), "the provider's own name");
        assertEquals(1, get("/api/v1/usage/cost-estimation?provider=my-vllm&model=" + model).getInt("requests"));
    }

    @Test
    void aBareNameTwoProvidersServeIsRefusedWithTheFormToUse() {
        String model = "shared-" + UUID.randomUUID();
        Instant at = Instant.parse("2026-11-22T10:00:00Z");
        UsageTest.send(List.of(UsageTest.event(user, at, "openai", model, 10, 10),
                UsageTest.event(user, at.plusSeconds(1), "my-proxy", model, 20, 20)));
        given().auth().oauth2(token).get("/api/v1/usage/cost-estimation?model=" + model).then().statusCode(400)
                .body("error.code", equalTo("AMBIGUOUS_MODEL"))
                .body("error.message", containsString("my-proxy/" + model))
                .body("error.details.providers", equalTo(List.of("my-proxy", "openai")));
        assertEquals(1, get("/api/v1/usage/cost-estimation?model=openai/" + model).getInt("requests"));
        assertEquals(1, get("/api/v1/usage/cost-estimation?provider=my-proxy&model=" + model).getInt("requests"));
        // another user's calls of the same name do not make this user's name ambiguous
        String other = Tokens.user(UUID.randomUUID(), "dave");
        given().auth().oauth2(other).get("/api/v1/usage/cost-estimation?model=" + model).then().statusCode(200)
                .body("requests", equalTo(0));
    }

    @Test
    void pricesAreFoundByTheFullNameToo() {
        String model = "p-" + UUID.randomUUID();
        UsageTest.price(model, "3", "4", Instant.parse("2026-01-01T00:00:00Z"));
        token = Tokens.user(UUID.randomUUID(), "root", "admin"); // the catalogue is the admins'
        JsonPath byFull = get("/api/v1/pricing?model=test/" + model);
        assertEquals(1, byFull.getList("data").size(), byFull.prettify());
        assertEquals(model, byFull.getString("data[0].model"));
        assertEquals(1, get("/api/v1/pricing?model=" + model).getList("data").size());
        assertEquals(1, get("/api/v1/pricing?model=test/" + model + "&at=2026-06-01T00:00:00Z").getList("data").size());
    }
}
