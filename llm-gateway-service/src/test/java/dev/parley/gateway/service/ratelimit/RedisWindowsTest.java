package dev.parley.gateway.service.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.parley.testsupport.EmbeddedRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Lua windows against a real redis-server, from two independent clients as two gateway replicas would be. */
class RedisWindowsTest {
    private Vertx vertxA;
    private Vertx vertxB;
    private Redis redisA;
    private Redis redisB;
    private String user;

    @BeforeEach
    void twoReplicas() {
        vertxA = Vertx.vertx();
        vertxB = Vertx.vertx();
        // Pooled as the gateway pools them (Vert.x's default waiting queue of 24 is too short for a burst).
        redisA = Redis.createClient(vertxA, options());
        redisB = Redis.createClient(vertxB, options());
        user = "parley:rl:{" + UUID.randomUUID() + "}:u";
    }

    private static RedisOptions options() {
        return new RedisOptions().setConnectionString(EmbeddedRedis.url()).setMaxPoolSize(8).setMaxPoolWaiting(10_000);
    }

    @AfterEach
    void close() {
        redisA.close();
        redisB.close();
        vertxA.close();
        vertxB.close();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void twoReplicasRacingAdmitExactlyTheLimit() throws Exception {
        Windows a = new RedisWindows(vertxA, redisA, 5000);
        Windows b = new RedisWindows(vertxB, redisB, 5000);
        List<Windows.Subject> s = List.of(new Windows.Subject(user, 50, -1));
        List<Future<Windows.Outcome>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add((i % 2 == 0 ? a : b).acquire(s, "c" + i, 0));
        }
        int admitted = 0;
        for (Future<Windows.Outcome> f : all) {
            admitted += await(f).allowed() ? 1 : 0;
        }
        assertEquals(50, admitted);
    }

    @Test
    void theWindowSlidesAndTokensAreCorrected() throws Exception {
        Windows w = new RedisWindows(vertxA, redisA, 5000, 1000);
        List<Windows.Subject> s = List.of(new Windows.Subject(user, 2, 100));
        assertTrue(await(w.acquire(s, "a", 70)).allowed());
        Windows.Outcome tokens = await(w.acquire(s, "b", 70));
        assertFalse(tokens.allowed());
        assertTrue(tokens.tokensBlocked());
        assertTrue(tokens.retryAfterMs() > 0 && tokens.retryAfterMs() <= 1000, "retry " + tokens.retryAfterMs());
        await(w.settle(s, "a", 10));
        Windows.Outcome ok = await(w.acquire(s, "b", 70));
        assertTrue(ok.allowed());
        assertEquals(2, ok.states().get(0).requests());
        assertEquals(80, ok.states().get(0).tokens());
        Windows.Outcome third = await(w.acquire(s, "c", 0));
        assertFalse(third.allowed());
        assertFalse(third.tokensBlocked());
        Thread.sleep(1100);
        Windows.Outcome later = await(w.acquire(s, "d", 0));
        assertTrue(later.allowed(), "both earlier calls left the window");
        assertEquals(1, later.states().get(0).requests());
        assertEquals(0, later.states().get(0).tokens(), "their tokens left with them");
    }

    @Test
    void aSecondSubjectRefusingLeavesTheFirstUntouched() throws Exception {
        Windows w = new RedisWindows(vertxA, redisA, 5000);
        Windows.Subject u = new Windows.Subject(user, 10, -1);
        Windows.Subject k = new Windows.Subject(user.replace(":u", ":k:1"), 1, -1);
        assertTrue(await(w.acquire(List.of(u, k), "a", 0)).allowed());
        Windows.Outcome refused = await(w.acquire(List.of(u, k), "b", 0));
        assertEquals(1, refused.blocked());
        assertEquals(1, refused.states().get(0).requests());
    }

    @Test
    void aServerThatDoesNotAnswerFailsWithinTheTimeout() {
        Redis nowhere = Redis.createClient(vertxA, "redis://127.0.0.1:1");
        Windows w = new RedisWindows(vertxA, nowhere, 200);
        long start = System.nanoTime();
        Future<Windows.Outcome> f = w.acquire(List.of(new Windows.Subject(user, 1, -1)), "a", 0);
        try {
            await(f);
        } catch (Exception expected) {
            // refused connection or timeout: either way a failure the limiter falls back on
        }
        assertTrue(f.failed());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
        nowhere.close();
    }
}
