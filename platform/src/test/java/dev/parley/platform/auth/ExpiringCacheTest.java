package dev.parley.platform.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ExpiringCacheTest {
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-22T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final ExpiringCache<String, String> cache = new ExpiringCache<>(100, clock);

    @Test
    void anEntryIsRefreshedAheadOnceAndOnlyNearItsExpiry() {
        cache.put("k", "v1", Duration.ofSeconds(60), Duration.ZERO);
        assertFalse(cache.claimRefresh("k", Duration.ofSeconds(15)), "45 s before the margin");
        clock.now = clock.now.plusSeconds(50);
        assertTrue(cache.claimRefresh("k", Duration.ofSeconds(15)), "inside the margin: one caller refreshes");
        assertFalse(cache.claimRefresh("k", Duration.ofSeconds(15)), "only one refresh at a time");
        assertEquals(Optional.of("v1"), cache.fresh("k"), "everyone keeps the fresh value meanwhile");
        cache.put("k", "v2", Duration.ofSeconds(60), Duration.ZERO);
        assertEquals(Optional.of("v2"), cache.fresh("k"));
        assertFalse(cache.claimRefresh("k", Duration.ofSeconds(15)), "a new entry is far from expiry");
    }

    @Test
    void aFailedRefreshCanBeClaimedAgainAndExpiredEntriesAreNotRefreshed() {
        cache.put("k", "v1", Duration.ofSeconds(60), Duration.ZERO);
        clock.now = clock.now.plusSeconds(50);
        assertTrue(cache.claimRefresh("k", Duration.ofSeconds(15)));
        cache.refreshFailed("k");
        assertTrue(cache.claimRefresh("k", Duration.ofSeconds(15)));
        clock.now = clock.now.plusSeconds(20);
        cache.refreshFailed("k");
        assertFalse(cache.claimRefresh("k", Duration.ofSeconds(15)), "expired: the next caller asks the source itself");
        assertEquals(Optional.empty(), cache.fresh("k"));
        assertFalse(cache.claimRefresh("missing", Duration.ofSeconds(15)));
    }
}
