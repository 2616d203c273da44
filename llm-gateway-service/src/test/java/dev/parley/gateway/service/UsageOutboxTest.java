package dev.parley.gateway.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.parley.gateway.GatewayFixtures.accessKey;
import static dev.parley.gateway.GatewayFixtures.usageEvents;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.gateway.GatewayStubs;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The usage outbox: nothing lost while usage-service is down, each event delivered once when it is back. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class UsageOutboxTest {
    @Inject
    DataSource dataSource;
    @Inject
    UsageRelay relay;

    @BeforeEach
    void reset() {
        AuthServiceStub.resetToDefaults();
    }

    @AfterEach
    void usageServiceBack() {
        GatewayStubs.acceptUsage();
    }

    private static void usageServiceDown(int status) {
        GatewayStubs.usage().resetAll();
        GatewayStubs.usage().stubFor(post(urlPathEqualTo("/internal/v1/usage-events")).willReturn(aResponse().withStatus(status)));
    }

    private long outboxRowsOf(UUID user) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) from usage_outbox where payload like ?")) {
            ps.setString(1, "%" + user + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> condition, long millis) throws Exception {
        long until = System.currentTimeMillis() + millis;
        while (!condition.call()) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void eventsWaitInTheOutboxWhileUsageServiceIsDownAndArriveOnceWhenItIsBack() throws Exception {
        UUID user = UUID.randomUUID();
        String key = accessKey(user);
        for (int status : new int[] {503, 404}) { // 404: usage-service not deployed yet counts as unavailable
            usageServiceDown(status);
            for (int i = 0; i < 10; i++) {
                given().auth().oauth2(key).contentType("application/json")
                        .body("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"call " + i + "\"}]}")
                        .post("/v1/chat/completions").then().statusCode(200);
            }
        }
        await("20 events in the outbox", () -> outboxRowsOf(user) == 20, 5_000);
        Thread.sleep(500); // the relay keeps trying meanwhile
        assertEquals(20, outboxRowsOf(user), "nothing is dropped while usage-service refuses");
        assertTrue(GatewayStubs.usage().getAllServeEvents().size() > 0, "the relay kept retrying");

        GatewayStubs.acceptUsage();
        await("the outbox drained", () -> outboxRowsOf(user) == 0, 10_000);
        List<JsonNode> mine = usageEvents().stream().filter(e -> user.toString().equals(e.path("user_id").asText())).toList();
        assertEquals(20, mine.size());
        assertEquals(20, mine.stream().map(e -> e.path("request_id").asText()).distinct().count(), "each event once");
        for (JsonNode e : mine) {
            for (String field : List.of("request_id", "occurred_at", "user_id", "access_key_id", "session_id", "message_id",
                    "provider", "model", "deployment", "prompt_tokens", "completion_tokens", "cached_tokens",
                    "reasoning_tokens", "cache_write_tokens", "images", "latency_ms", "ttft_ms", "status", "streamed")) {
                assertTrue(e.has(field), "contract field " + field + " in " + e);
            }
        }
    }

    @Test
    void concurrentRelaysDrainABacklogAndNeverDeliverAnEventTwice() throws Exception {
        usageServiceDown(503);
        int n = 20_000;
        Set<String> ids = new HashSet<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("insert into usage_outbox (request_id, payload) values (?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                UUID id = UUID.randomUUID();
                ids.add(id.toString());
                ps.setObject(1, id);
                ps.setString(2, "{\"request_id\":\"" + id + "\",\"occurred_at\":\"2026-11-22T00:00:00Z\",\"user_id\":null,"
                        + "\"provider\":\"parley\",\"model\":\"echo\",\"deployment\":\"parley/echo\",\"prompt_tokens\":10,"
                        + "\"completion_tokens\":5,\"cached_tokens\":0,\"reasoning_tokens\":0,\"cache_write_tokens\":0,"
                        + "\"images\":0,\"latency_ms\":1,\"ttft_ms\":null,\"status\":\"success\",\"streamed\":false,"
                        + "\"bulk_test\":true}");
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
        GatewayStubs.acceptUsage();
        long t0 = System.nanoTime();
        // Four extra relays race the background one: SKIP LOCKED hands each row to exactly one of them.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> racers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            racers.add(pool.submit(() -> {
                int total = 0;
                int sent;
                while ((sent = relay.relayOnce()) > 0) {
                    total += sent;
                }
                return total;
            }));
        }
        for (Future<Integer> f : racers) {
            f.get();
        }
        pool.shutdown();
        await("the backlog drained", () -> {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("select count(*) from usage_outbox where payload like '%bulk_test%'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 0;
            }
        }, 60_000);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Integer> seen = new HashMap<>();
        for (JsonNode e : usageEvents()) {
            if (e.path("bulk_test").asBoolean()) {
                seen.merge(e.path("request_id").asText(), 1, Integer::sum);
            }
        }
        assertEquals(ids, seen.keySet(), "every event delivered");
        assertTrue(seen.values().stream().allMatch(v -> v == 1), "no event delivered twice");
        System.out.printf("usage relay drained %d events in %.2f s (%.0f events/s, WireMock as usage-service)%n",
                n, seconds, n / seconds);
    }
}
