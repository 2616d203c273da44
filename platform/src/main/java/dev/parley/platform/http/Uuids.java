package dev.parley.platform.http;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered UUIDs (version 7, RFC 9562: 48-bit Unix milliseconds, then 74 random bits) for ids minted on hot paths:
 * request ids and the gateway's call ids. {@link UUID#randomUUID()} draws from a shared SecureRandom, which costs more
 * and contends across threads; these ids need uniqueness, not unpredictability (nothing is authorised by them), and
 * being time-ordered they index well where they are stored.
 */
public final class Uuids {
    private Uuids() { }

    public static UUID v7() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long ms = System.currentTimeMillis();
        long high = (ms << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long low = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
