package dev.parley.gateway.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.parley.gateway.GatewayFixtures.accessKey;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

import dev.parley.gateway.GatewayStubs;
import dev.parley.gateway.repository.RateLimitOverrideRepository;
import dev.parley.gateway.repository.RequestLogRepository;
import dev.parley.testsupport.DatabaseTraces;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An account's deletion and export in the gateway: after {@code delete}, no column of any table in the gateway's
 * schema (found through information_schema, so a new table is checked too) holds the user's id, as a uuid or inside
 * text (the outbox's JSON); another user's rows stay; the export holds the user's rows and nobody else's.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class GatewayAccountDataTest {
    /** uuid columns that name a user (or, for rate_limit_overrides.subject_id, a user or a key). */
    private static final Set<String> USER_COLUMNS = Set.of("user_id", "subject_id", "updated_by", "owner_id", "created_by");

    @Inject
    GatewayAccountData data;
    @Inject
    DataSource db;
    @Inject
    RequestLogRepository requestLog;
    @Inject
    RateLimitOverrideRepository overrides;

    private UUID alice;
    private UUID bob;

    @BeforeEach
    void twoUsersWithDataEverywhere() throws Exception {
        AuthServiceStub.resetToDefaults();
        // usage-service down: the usage events of the calls below stay in the outbox
        GatewayStubs.usage().stubFor(post(urlPathEqualTo("/internal/v1/usage-events")).willReturn(aResponse().withStatus(503)));
        alice = UUID.randomUUID();
        bob = UUID.randomUUID();
        writeEverythingFor(alice);
        writeEverythingFor(bob);
        overrides.upsert("user", bob, 5L, null, alice); // alice, an admin, set bob's limits
    }

    @AfterEach
    void usageServiceBack() {
        GatewayStubs.acceptUsage();
    }

    /** A row in every table that keeps user data (a new such table: write one here, delete it in AccountRepository). */
    private void writeEverythingFor(UUID user) throws Exception {
        given().auth().oauth2(accessKey(user)).header("Idempotency-Key", "acct-" + user).contentType("application/json")
                .body("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(200); // an idempotency record and an outbox event
        requestLog.insert(UUID.randomUUID(), user, "parley/echo", 200, "{\"prompt\":\"of " + user + "\"}", "{}");
        overrides.upsert("user", user, 10L, 1000L, UUID.randomUUID());
        given().auth().oauth2(accessKey(user)).contentType("application/json")
                .body("{\"alias\":\"my/fast\",\"deployments\":[{\"model\":\"parley/echo\"}]}")
                .post("/api/v1/routes").then().statusCode(201); // a route of their own
    }

    private long count(String sql, Object param) throws Exception {
        return DatabaseTraces.count(db, sql, param);
    }

    /** Every uuid, text and jsonb column → its rows naming {@code id} (zeros included, so a column can be asked for). */
    private Map<String, Long> rowsNaming(UUID id) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        for (DatabaseTraces.Column col : DatabaseTraces.columns(db)) {
            out.put(col.key(), DatabaseTraces.rowsHolding(db, col, id, id.toString()));
        }
        return out;
    }

    @Test
    void aDeletedAccountLeavesNothingOfTheUserInAnyTable() throws Exception {
        Map<String, Long> before = rowsNaming(alice);
        for (DatabaseTraces.Column col : DatabaseTraces.columns(db)) {
            if ("uuid".equals(col.type()) && USER_COLUMNS.contains(col.name()) && !"updated_by".equals(col.name())) {
                assertTrue(before.get(col.table() + "." + col.name()) > 0, "the fixture writes " + col.table()
                        + ": a table with user ids gets a row in writeEverythingFor and a line in AccountRepository.USER_DELETES");
            }
        }
        assertTrue(before.get("usage_outbox.payload") > 0, "an event waits in the outbox");
        assertTrue(before.get("rate_limit_overrides.updated_by") > 0, "alice set bob's limits");
        Map<String, Long> bobBefore = rowsNaming(bob);

        data.delete(alice);
        Map<String, Long> after = rowsNaming(alice);
        after.forEach((column, rows) -> assertEquals(0L, rows, column + " still names the deleted user"));
        assertEquals(bobBefore, rowsNaming(bob), "another user's rows stay");
        assertEquals(1, count("select count(*) from rate_limit_overrides where subject_id = ? and updated_by is null", bob),
                "the limits alice set as an admin stay, without her name");

        data.delete(alice); // idempotent: a retry or another replica changes nothing and does not fail
        rowsNaming(alice).forEach((column, rows) -> assertEquals(0L, rows, column));
    }

    @Test
    void theExportHoldsTheUsersRoutesRateLimitsAndRequestLogAndNobodyElses() {
        Map<String, Object> files = new LinkedHashMap<>();
        data.export(alice, files::put);
        assertEquals(List.of("routes.json", "rate-limits.json", "request-log-0001.json"), List.copyOf(files.keySet()));
        assertTrue(files.get("routes.json").toString().contains("my/fast"), files.get("routes.json").toString());
        List<Map<String, Object>> limits = page(files, "rate-limits.json");
        assertEquals(1, limits.size());
        assertEquals(10L, ((Number) limits.get(0).get("requests_per_minute")).longValue());
        assertEquals(1000L, ((Number) limits.get(0).get("tokens_per_minute")).longValue());
        List<Map<String, Object>> log = page(files, "request-log-0001.json");
        assertEquals(1, log.size());
        assertTrue(log.get(0).get("request_body").toString().contains(alice.toString()));
        assertTrue(files.toString().indexOf(bob.toString()) < 0, "nothing of bob");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> page(Map<String, Object> files, String name) {
        return (List<Map<String, Object>>) ((Map<String, Object>) files.get(name)).get("data");
    }
}
