package dev.parley.gateway.service;

import static dev.parley.gateway.GatewayFixtures.accessKey;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import dev.parley.gateway.GatewayStubs;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Prompt and completion logging when the operator turns it on, and its retention (off by default: see the README). */
@QuarkusTest
@TestProfile(RequestLoggingTest.LoggingOn.class)
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class RequestLoggingTest {
    public static class LoggingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.gateway.request-logging.enabled", "true",
                    "parley.gateway.request-logging.retention", "P1D");
        }
    }

    @Inject
    DataSource dataSource;
    @Inject
    RequestLog requestLog;

    private long rows(String sql, Object arg) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void promptsAndCompletionsAreStoredAndExpireAfterTheRetention() throws Exception {
        AuthServiceStub.resetToDefaults();
        UUID user = UUID.randomUUID();
        String key = accessKey(user);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"remember this prompt\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);
        long until = System.currentTimeMillis() + 5_000;
        while (rows("select count(*) from request_log where user_id = ?", user) == 0 && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        assertEquals(1, rows("select count(*) from request_log where user_id = ? and request_body like '%remember this prompt%'"
                + " and response_body like '%remember this prompt%' and status = 200", user));

        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update request_log set created_at = now() - interval '2 days' where user_id = ?")) {
            ps.setObject(1, user);
            assertTrue(ps.executeUpdate() == 1);
        }
        requestLog.cleanup();
        assertEquals(0, rows("select count(*) from request_log where user_id = ?", user));
    }
}
