package dev.parley.usage;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.testsupport.DatabaseTraces;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.Tokens;
import dev.parley.usage.config.RetentionConfig;
import dev.parley.usage.repository.AccountRepository;
import dev.parley.usage.service.UsageAccountData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An account's deletion and export in usage-service: every record of the user and the user's access keys goes (or,
 * with the operator's anonymize setting, the call records stay with no one's ids on them), another user's stay, the
 * totals across users keep their sums; the export holds the user's records and nobody else's.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
class UsageAccountDataTest {
    @Inject
    UsageAccountData data;
    @Inject
    AccountRepository accounts;
    @Inject
    DataSource db;

    private UUID alice;
    private UUID aliceKey;
    private UUID bob;

    @BeforeEach
    void twoUsersWithUsageAndBudgets() {
        AuthServiceStub.resetToDefaults();
        alice = UUID.randomUUID();
        aliceKey = UUID.randomUUID();
        bob = UUID.randomUUID();
        Instant at = Instant.parse("2026-11-25T10:00:00Z");
        Map<String, Object> viaKey = UsageTest.event(alice, at, "test", "acct-model", 100, 50);
        viaKey.put("access_key_id", aliceKey.toString());
        viaKey.put("session_id", UUID.randomUUID().toString());
        UsageTest.send(List.of(viaKey, UsageTest.event(alice, at.plusSeconds(1), "test", "acct-model", 10, 5),
                UsageTest.event(bob, at.plusSeconds(2), "test", "acct-model", 7, 7)));
        String budget = "{\"daily\":{\"soft_usd\":1,\"hard_usd\":2},\"monthly\":{\"soft_usd\":null,\"hard_usd\":30}}";
        given().auth().oauth2(Tokens.user(alice, "alice")).contentType("application/json").body(budget)
                .put("/api/v1/budgets/me").then().statusCode(200);
        given().auth().oauth2(Tokens.user(bob, "bob")).contentType("application/json").body(budget)
                .put("/api/v1/budgets/me").then().statusCode(200);
    }

    private long count(String sql, Object... params) throws Exception {
        return DatabaseTraces.count(db, sql, params);
    }

    /** Rows naming {@code id} in any table of this service (read from the schema: a new table is checked too). */
    private long rowsNaming(UUID id) throws Exception {
        return DatabaseTraces.rowsHolding(db, id).values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void aDeletedAccountLeavesNothingOfTheUserOrTheirKeys() throws Exception {
        assertTrue(rowsNaming(alice) > 0 && rowsNaming(aliceKey) > 0, "the fixture wrote them");
        long bobBefore = rowsNaming(bob);
        long allRequests = count("select coalesce(sum(requests), 0) from usage_daily_all where model = 'acct-model'");

        data.delete(alice);
        assertEquals(0, rowsNaming(alice));
        assertEquals(0, rowsNaming(aliceKey));
        assertEquals(bobBefore, rowsNaming(bob), "another user's records stay");
        assertEquals(allRequests, count("select coalesce(sum(requests), 0) from usage_daily_all where model = 'acct-model'"),
                "the totals across users name no one and keep their sums");
        data.delete(alice); // idempotent: a second run (another replica, a retry) changes nothing and does not fail
        assertEquals(0, rowsNaming(alice));
    }

    @Test
    void withAnonymizeTheCallRecordsStayWithNoOnesIds() throws Exception {
        UsageAccountData anonymizing = new UsageAccountData(accounts, () -> RetentionConfig.AccountDeletion.ANONYMIZE);
        long before = count("select count(*) from usage_events where user_id = ?", alice);
        long nobodyBefore = count("select count(*) from usage_events where user_id = ?", AccountRepository.NOBODY);
        anonymizing.delete(alice);
        assertEquals(0, rowsNaming(alice));
        assertEquals(0, rowsNaming(aliceKey));
        assertEquals(nobodyBefore + before, count("select count(*) from usage_events where user_id = ?", AccountRepository.NOBODY));
        assertEquals(0, count("select count(*) from usage_events where user_id = ? and (access_key_id is not null "
                + "or session_id is not null or message_id is not null)", AccountRepository.NOBODY));
    }

    @Test
    void theExportHoldsTheUsersRecordsAndNobodyElses() {
        Map<String, Object> files = new LinkedHashMap<>();
        data.export(alice, files::put);
        assertEquals(List.of("budgets.json", "usage-events-0001.json"), List.copyOf(files.keySet()));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) ((Map<String, Object>) files.get("usage-events-0001.json")).get("data");
        assertEquals(2, events.size());
        assertTrue(events.stream().allMatch(e -> "acct-model".equals(e.get("model"))));
        assertEquals(aliceKey, events.get(0).get("access_key_id"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> budgets = (List<Map<String, Object>>) ((Map<String, Object>) files.get("budgets.json")).get("data");
        assertEquals(1, budgets.size());
        assertEquals(alice, budgets.get(0).get("subject_id"));
        assertEquals("30.0000", budgets.get(0).get("monthly_hard_usd"));
    }
}
