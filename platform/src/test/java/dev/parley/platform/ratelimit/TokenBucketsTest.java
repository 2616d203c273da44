package dev.parley.platform.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class TokenBucketsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final TokenBuckets buckets = new TokenBuckets(1000, now::get);

    @Test
    void aCallerBurstsToTheMinutesFigureThenGoesAtTheSustainedRate() {
        for (int i = 0; i < 60; i++) {
            assertTrue(buckets.take("u:1", 60).allowed(), "call " + i + " of the burst");
        }
        TokenBuckets.Decision refused = buckets.take("u:1", 60);
        assertFalse(refused.allowed());
        assertEquals(1, refused.retryAfterSeconds(), "one token a second comes back");
        now.addAndGet(1_000_000_000L);
        assertTrue(buckets.take("u:1", 60).allowed());
        assertFalse(buckets.take("u:1", 60).allowed());
        now.addAndGet(30_000_000_000L);
        for (int i = 0; i < 30; i++) {
            assertTrue(buckets.take("u:1", 60).allowed());
        }
        assertFalse(buckets.take("u:1", 60).allowed());
    }

    @Test
    void callersDoNotShareABucket() {
        for (int i = 0; i < 5; i++) {
            buckets.take("u:1", 5);
        }
        assertFalse(buckets.take("u:1", 5).allowed());
        assertTrue(buckets.take("u:2", 5).allowed());
        assertTrue(buckets.take("a:10.0.0.1", 5).allowed());
    }

    @Test
    void retryAfterSaysWhenTheNextTokenIsBack() {
        buckets.take("slow", 1);
        assertEquals(60, buckets.take("slow", 1).retryAfterSeconds());
        now.addAndGet(45_000_000_000L);
        assertEquals(15, buckets.take("slow", 1).retryAfterSeconds());
    }

    @Test
    void idleCallersAreForgottenFirstWhenTheTableIsFull() {
        TokenBuckets small = new TokenBuckets(16, now::get);
        for (int i = 0; i < 16; i++) {
            small.take("idle-" + i, 10);
        }
        small.take("busy", 10);
        assertTrue(small.size() <= 16, "bounded: " + small.size());
        now.addAndGet(60_000_000_000L); // everyone's bucket is full again
        small.take("new", 10);
        assertTrue(small.size() <= 2, "the full buckets were dropped: " + small.size());
    }
}
