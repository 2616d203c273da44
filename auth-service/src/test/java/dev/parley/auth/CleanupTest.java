package dev.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.parley.auth.AuthFixtures.Account;
import dev.parley.auth.service.Cleanup;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The cleanup deletes what can no longer matter and keeps everything that still can. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
class CleanupTest {
    @Inject
    AgroalDataSource db;

    @Inject
    Cleanup cleanup;

    @Test
    void oldBookkeepingGoesAndLiveRowsStay() throws Exception {
        Account u = AuthFixtures.register("cleanup");
        UUID user = UUID.fromString(u.id());
        Instant now = Instant.now();
        UUID oldToken = UUID.randomUUID();
        UUID recentlyRevoked = UUID.randomUUID();
        exec("INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at, revoked_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, NULL)", oldToken, user, UUID.randomUUID(), "a".repeat(64),
                ts(now.minus(Duration.ofDays(60))), ts(now.minus(Duration.ofDays(30))));
        exec("INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at, revoked_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", recentlyRevoked, user, UUID.randomUUID(), "b".repeat(64),
                ts(now.minus(Duration.ofDays(1))), ts(now.plus(Duration.ofDays(29))), ts(now.minus(Duration.ofDays(1))));
        String oldKey = "cleanup-old-" + UUID.randomUUID();
        String lockedKey = "cleanup-locked-" + UUID.randomUUID();
        exec("INSERT INTO login_throttle (scope, key, failures, window_start, locked_until) VALUES ('address', ?, 3, ?, NULL)",
                oldKey, ts(now.minus(Duration.ofHours(2))));
        exec("INSERT INTO login_throttle (scope, key, failures, window_start, locked_until) VALUES ('address', ?, 40, ?, ?)",
                lockedKey, ts(now.minus(Duration.ofHours(2))), ts(now.plus(Duration.ofMinutes(3))));
        exec("INSERT INTO known_logins (user_id, client_address, last_success_at) VALUES (?, '192.0.2.200', ?)",
                user, ts(now.minus(Duration.ofDays(120))));

        Cleanup.Removed removed = cleanup.run(now);

        assertTrue(removed.refreshTokens() >= 1 && removed.throttleRows() >= 1 && removed.knownLogins() >= 1, removed.toString());
        assertEquals(0, count("SELECT count(*) FROM refresh_tokens WHERE id = ?", oldToken));
        assertEquals(1, count("SELECT count(*) FROM refresh_tokens WHERE id = ?", recentlyRevoked), "kept for reuse detection");
        assertEquals(1, count("SELECT count(*) FROM refresh_tokens WHERE token_hash = encode(sha256(convert_to(?, 'UTF8')), 'hex')",
                u.refreshToken()), "a live refresh token stays");
        assertEquals(0, count("SELECT count(*) FROM login_throttle WHERE key = ?", oldKey));
        assertEquals(1, count("SELECT count(*) FROM login_throttle WHERE key = ?", lockedKey), "an active lock stays");
        assertEquals(0, count("SELECT count(*) FROM known_logins WHERE client_address = '192.0.2.200'"));
        AuthFixtures.login(u.username(), AuthFixtures.PASSWORD); // the account is untouched
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }

    private void exec(String sql, Object... args) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private long count(String sql, Object... args) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ResultSet rs = ps.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }
}
