package dev.parley.gateway.service.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The windows in Redis, shared by every gateway replica: one Lua script per check expires old entries, checks every
 * subject and records the call in each, atomically (Redis runs a script alone), on Redis's own clock so replicas with
 * skewed clocks still agree. Per subject: a sorted set of call ids by time, a hash of their tokens and a running sum;
 * all keys of one call carry the user's hash tag, so the script also runs on Redis Cluster.
 */
public final class RedisWindows implements Windows {
    static final String ACQUIRE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local window = tonumber(ARGV[1])
            local id = ARGV[2]
            local est = tonumber(ARGV[3])
            local n = #KEYS / 3
            local blocked, tokensBlocked, retry = -1, 0, 0
            local counts, sums = {}, {}
            for i = 1, n do
              local z, h, s = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
              local rpm, tpm = tonumber(ARGV[2 + 2 * i]), tonumber(ARGV[3 + 2 * i])
              local cutoff = now - window
              local expired = redis.call('ZRANGEBYSCORE', z, '-inf', cutoff)
              if #expired > 0 then
                local freed = 0
                for j = 1, #expired, 1000 do
                  local last = math.min(j + 999, #expired)
                  local ws = redis.call('HMGET', h, unpack(expired, j, last))
                  for _, w in ipairs(ws) do freed = freed + (tonumber(w) or 0) end
                  redis.call('HDEL', h, unpack(expired, j, last))
                end
                redis.call('ZREMRANGEBYSCORE', z, '-inf', cutoff)
                if freed ~= 0 then redis.call('DECRBY', s, freed) end
              end
              local count = redis.call('ZCARD', z)
              local used = tonumber(redis.call('GET', s) or '0')
              if blocked < 0 and rpm >= 0 and count >= rpm then
                blocked = i - 1
                if rpm == 0 then retry = -1 else
                  local e = redis.call('ZRANGE', z, count - rpm, count - rpm, 'WITHSCORES')
                  retry = tonumber(e[2]) + window - now
                end
              elseif blocked < 0 and tpm >= 0 and used + est > tpm then
                blocked, tokensBlocked = i - 1, 1
                if est > tpm then retry = -1 else
                  local need, freed = used + est - tpm, 0
                  retry = window
                  local members = redis.call('ZRANGE', z, 0, -1, 'WITHSCORES')
                  for j = 1, #members, 2 do
                    freed = freed + (tonumber(redis.call('HGET', h, members[j])) or 0)
                    if freed >= need then retry = tonumber(members[j + 1]) + window - now break end
                  end
                end
              end
              counts[i], sums[i] = count, used
            end
            if blocked < 0 then
              for i = 1, n do
                local z, h, s = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
                redis.call('ZADD', z, now, id)
                redis.call('HSET', h, id, est)
                redis.call('INCRBY', s, est)
                redis.call('PEXPIRE', z, window + 1000)
                redis.call('PEXPIRE', h, window + 1000)
                redis.call('PEXPIRE', s, window + 1000)
                counts[i], sums[i] = counts[i] + 1, sums[i] + est
              end
            end
            local out = {blocked, tokensBlocked, retry}
            for i = 1, n do
              local newest = redis.call('ZRANGE', KEYS[3 * i - 2], -1, -1, 'WITHSCORES')
              local reset = 0
              if #newest == 2 then reset = tonumber(newest[2]) + window - now end
              out[#out + 1] = counts[i]
              out[#out + 1] = sums[i]
              out[#out + 1] = reset
            end
            return out
            """;

    static final String SETTLE = """
            for i = 1, #KEYS / 2 do
              local h, s = KEYS[2 * i - 1], KEYS[2 * i]
              local old = redis.call('HGET', h, ARGV[1])
              if old then
                local delta = tonumber(ARGV[2]) - tonumber(old)
                redis.call('HSET', h, ARGV[1], ARGV[2])
                if delta ~= 0 then redis.call('INCRBY', s, delta) end
              end
            end
            return 1
            """;

    private static final long RECONNECT_MS = 1000;
    private static final String ACQUIRE_SHA = sha1(ACQUIRE);
    private static final String SETTLE_SHA = sha1(SETTLE);

    private final Vertx vertx;
    private final Redis redis;
    /** One pipelined connection per calling thread (the event loops): no pool checkout and no thread hop per call. */
    private final Map<Thread, Conn> connections = new ConcurrentHashMap<>();

    private record Conn(Future<RedisConnection> future, long openedAt) { }

    private final long timeoutMs;
    private final long windowMs;

    public RedisWindows(Vertx vertx, Redis redis, long timeoutMs) {
        this(vertx, redis, timeoutMs, WINDOW_MS);
    }

    /** {@code windowMs}: the window's length (one minute in the gateway; shorter in tests). */
    public RedisWindows(Vertx vertx, Redis redis, long timeoutMs, long windowMs) {
        this.vertx = vertx;
        this.redis = redis;
        this.timeoutMs = timeoutMs;
        this.windowMs = windowMs;
    }

    @Override
    public Future<Outcome> acquire(List<Subject> subjects, String callId, long tokens) {
        List<Object> keys = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        args.add(Long.toString(windowMs));
        args.add(callId);
        args.add(Long.toString(tokens));
        for (Subject s : subjects) {
            keys.add(s.key() + ":z");
            keys.add(s.key() + ":h");
            keys.add(s.key() + ":s");
            args.add(Long.toString(s.requestsPerMinute()));
            args.add(Long.toString(s.tokensPerMinute()));
        }
        return script(ACQUIRE_SHA, ACQUIRE, keys, args).map(r -> {
            List<State> states = new ArrayList<>(subjects.size());
            for (int i = 0; i < subjects.size(); i++) {
                states.add(new State(r.get(3 + 3 * i).toLong(), r.get(4 + 3 * i).toLong(), r.get(5 + 3 * i).toLong()));
            }
            return new Outcome(r.get(0).toInteger(), r.get(1).toInteger() == 1, r.get(2).toLong(), states);
        });
    }

    @Override
    public Future<Void> settle(List<Subject> subjects, String callId, long tokens) {
        List<Object> keys = new ArrayList<>();
        for (Subject s : subjects) {
            keys.add(s.key() + ":h");
            keys.add(s.key() + ":s");
        }
        return script(SETTLE_SHA, SETTLE, keys, List.of(callId, Long.toString(tokens))).mapEmpty();
    }

    /** EVALSHA, falling back to EVAL once when this Redis has not seen the script yet (it then caches it). */
    private Future<Response> script(String sha, String body, List<Object> keys, List<Object> args) {
        Promise<Response> promise = Promise.promise();
        long timer = vertx.setTimer(timeoutMs, id -> promise.tryFail(new TimeoutException("Redis did not answer within " + timeoutMs + " ms")));
        send(Command.EVALSHA, sha, keys, args).recover(err -> {
            String m = err.getMessage();
            return m != null && m.startsWith("NOSCRIPT") ? send(Command.EVAL, body, keys, args) : Future.failedFuture(err);
        }).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                promise.tryComplete(ar.result());
            } else {
                promise.tryFail(ar.cause());
            }
        });
        return promise.future();
    }

    private Future<Response> send(Command command, String script, List<Object> keys, List<Object> args) {
        Request r = Request.cmd(command).arg(script).arg(keys.size());
        for (Object k : keys) {
            r.arg(k.toString());
        }
        for (Object a : args) {
            r.arg(a.toString());
        }
        return connection().compose(c -> c.send(r));
    }

    /**
     * This thread's connection, opened on first use and dropped when it fails or closes. After a failed connect the
     * next attempt waits a second (calls fail at once meanwhile, and the limiter counts on its own).
     */
    private Future<RedisConnection> connection() {
        Thread thread = Thread.currentThread();
        Conn current = connections.get(thread);
        if (current != null && (!current.future().failed() || System.currentTimeMillis() - current.openedAt() < RECONNECT_MS)) {
            return current.future();
        }
        Promise<RedisConnection> promise = Promise.promise();
        Conn fresh = new Conn(promise.future(), System.currentTimeMillis());
        connections.put(thread, fresh);
        redis.connect().onComplete(ar -> {
            if (ar.failed()) {
                promise.fail(ar.cause());
                return;
            }
            RedisConnection c = ar.result();
            c.exceptionHandler(err -> connections.remove(thread, fresh));
            c.endHandler(v -> connections.remove(thread, fresh));
            promise.complete(c);
        });
        return promise.future();
    }

    /** Closes every connection (shutdown). */
    public void close() {
        connections.values().forEach(c -> c.future().onSuccess(RedisConnection::close));
        connections.clear();
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
