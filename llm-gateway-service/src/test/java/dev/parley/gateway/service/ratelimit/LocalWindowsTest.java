package dev.parley.gateway.service.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

/** The in-process sliding windows, on a clock the test moves. */
class LocalWindowsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LocalWindows windows = new LocalWindows(now::get);

    private Windows.Outcome acquire(List<Windows.Subject> s, String id, long tokens) {
        return windows.acquireNow(s, id, tokens);
    }

    @Test
    void aSlidingWindowAdmitsTheLimitInAnySixtySeconds() {
        List<Windows.Subject> s = List.of(new Windows.Subject("u", 3, -1));
        assertTrue(acquire(s, "a", 0).allowed());
        now.addAndGet(20_000);
        assertTrue(acquire(s, "b", 0).allowed());
        assertTrue(acquire(s, "c", 0).allowed());
        Windows.Outcome refused = acquire(s, "d", 0);
        assertFalse(refused.allowed());
        assertEquals(40_000, refused.retryAfterMs(), "when the oldest call leaves the window");
        now.addAndGet(40_000); // "a" is exactly 60 s old: out
        assertTrue(acquire(s, "e", 0).allowed());
        assertFalse(acquire(s, "f", 0).allowed(), "b, c and e are within the last minute");
    }

    @Test
    void tokensAreReservedAndCorrected() {
        List<Windows.Subject> s = List.of(new Windows.Subject("u", -1, 100));
        assertTrue(acquire(s, "a", 70).allowed());
        Windows.Outcome refused = acquire(s, "b", 70);
        assertFalse(refused.allowed());
        assertTrue(refused.tokensBlocked());
        assertEquals(60_000, refused.retryAfterMs());
        windows.settle(s, "a", 20);
        Windows.Outcome ok = acquire(s, "b", 70);
        assertTrue(ok.allowed());
        assertEquals(90, ok.states().get(0).tokens());
        assertEquals(-1, acquire(s, "huge", 101).retryAfterMs(), "never fits");
    }

    @Test
    void aCallMustFitEverySubjectAndIsCountedInAllOrNone() {
        Windows.Subject user = new Windows.Subject("u", 5, -1);
        Windows.Subject key = new Windows.Subject("k", 1, -1);
        assertTrue(acquire(List.of(user, key), "a", 0).allowed());
        Windows.Outcome refused = acquire(List.of(user, key), "b", 0);
        assertEquals(1, refused.blocked());
        assertEquals(1, refused.states().get(0).requests(), "the refused call is not counted for the user");
        assertTrue(acquire(List.of(user), "c", 0).allowed());
    }

    @Test
    void concurrentCallsNeverExceedTheLimit() throws Exception {
        List<Windows.Subject> s = List.of(new Windows.Subject("u", 100, -1), new Windows.Subject("k", 1000, -1));
        AtomicInteger admitted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 1000; i++) {
            String id = "c" + i;
            pool.submit(() -> {
                if (acquire(s, id, 0).allowed()) {
                    admitted.incrementAndGet();
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(100, admitted.get());
    }

    @Test
    void idleWindowsAreSwept() {
        acquire(List.of(new Windows.Subject("u", 1, -1)), "a", 0);
        assertEquals(1, windows.size());
        now.addAndGet(61_000);
        windows.sweep();
        assertEquals(0, windows.size());
        assertTrue(acquire(List.of(new Windows.Subject("u", 1, -1)), "b", 0).allowed());
    }

    @Test
    void headersAndDurationsAreWrittenAsOpenAiWritesThem() {
        assertEquals("120ms", RateLimiter.duration(120));
        assertEquals("1s", RateLimiter.duration(1000));
        assertEquals("1.5s", RateLimiter.duration(1500));
        assertEquals("6m0s", RateLimiter.duration(360_000));
        assertEquals("1m1.25s", RateLimiter.duration(61_250));
        List<Windows.Subject> s = List.of(new Windows.Subject("u", 10, 1000), new Windows.Subject("k", 3, -1));
        acquire(s, "a", 100);
        Windows.Outcome o = acquire(s, "b", 50);
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        RateLimiter.headers(h, s, o);
        assertEquals("3", h.get("x-ratelimit-limit-requests"), "the tightest subject");
        assertEquals("1", h.get("x-ratelimit-remaining-requests"));
        assertEquals("1000", h.get("x-ratelimit-limit-tokens"));
        assertEquals("850", h.get("x-ratelimit-remaining-tokens"));
        assertEquals("1m0s", h.get("x-ratelimit-reset-requests"));
    }
}
