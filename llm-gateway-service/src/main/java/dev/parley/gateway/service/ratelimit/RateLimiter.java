package dev.parley.gateway.service.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.metrics.GatewayMetrics;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.platform.auth.Caller;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Requests per minute and tokens per minute, per user and per access key, over exact sliding windows: in Redis
 * (shared by every replica) when {@code parley.gateway.rate-limits.redis-url} is set, in this process otherwise.
 * A call reserves its estimated tokens (prompt plus requested output) up front; {@link #settle} replaces the
 * reservation with the real count when the call ends. When Redis fails or is slower than {@code redis-timeout}, the
 * replica falls back to its own counters for that call (limits hold per replica rather than not at all) and counts
 * the miss in {@code parley_gateway_rate_limit_redis_errors_total}.
 */
@ApplicationScoped
public class RateLimiter {
    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    private static final String PREFIX = "parley:rl:";

    /** What one admitted call holds: its subjects and where they were counted (null when no limit applies). */
    public record Permit(List<Windows.Subject> subjects, String callId, boolean shared, long reserved, Windows.Outcome outcome) { }

    private final RateLimitSettings settings;
    private final GatewayMetrics metrics;
    private final LocalWindows local = new LocalWindows(System::currentTimeMillis);
    private final Redis redis;
    private final RedisWindows shared;
    private final AtomicLong lastWarning = new AtomicLong();

    public RateLimiter(RateLimitSettings settings, GatewayMetrics metrics, GatewayConfig config, Vertx vertx) {
        this.settings = settings;
        this.metrics = metrics;
        GatewayConfig.RateLimits rl = config.rateLimits();
        if (rl.redisUrl().filter(u -> !u.isBlank()).isPresent()) {
            this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(rl.redisUrl().get())
                    .setMaxPoolSize(Math.max(rl.redisPoolSize(), 2 * Runtime.getRuntime().availableProcessors() + 8)).setMaxPoolWaiting(10_000).setMaxWaitingHandlers(10_000));
            this.shared = new RedisWindows(vertx, redis, rl.redisTimeout().toMillis());
        } else {
            this.redis = null;
            this.shared = null;
        }
    }

    public boolean sharedCounters() {
        return shared != null;
    }

    /**
     * Admits the call or fails with a 429 in OpenAI's shape. {@code estimate} (tokens) is only computed when a tokens
     * limit applies. Succeeds with null when no limit applies to this caller.
     */
    public Future<Permit> acquire(Caller caller, UUID callId, LongSupplier estimate) {
        UUID user = caller.userId();
        if (user == null || !settings.anyLimits()) {
            return Future.succeededFuture();
        }
        List<Windows.Subject> subjects = new ArrayList<>(2);
        RateLimitSettings.Limits u = settings.forUser(user);
        if (u.any()) {
            subjects.add(new Windows.Subject(PREFIX + "{" + user + "}:u", orNone(u.requestsPerMinute()), orNone(u.tokensPerMinute())));
        }
        RateLimitSettings.Limits k = settings.forAccessKey(caller.accessKeyId());
        if (k.any()) {
            subjects.add(new Windows.Subject(PREFIX + "{" + user + "}:k:" + caller.accessKeyId(),
                    orNone(k.requestsPerMinute()), orNone(k.tokensPerMinute())));
        }
        if (subjects.isEmpty()) {
            return Future.succeededFuture();
        }
        boolean tokens = subjects.stream().anyMatch(s -> s.tokensPerMinute() >= 0);
        long reserve = tokens ? Math.max(0, estimate.getAsLong()) : 0;
        String id = callId.toString();
        Future<Permit> decided;
        if (shared != null) {
            decided = shared.acquire(subjects, id, reserve).map(o -> new Permit(subjects, id, true, reserve, o))
                    .recover(err -> {
                        redisFailed(err);
                        return local.acquire(subjects, id, reserve).map(o -> new Permit(subjects, id, false, reserve, o));
                    });
        } else {
            decided = local.acquire(subjects, id, reserve).map(o -> new Permit(subjects, id, false, reserve, o));
        }
        return decided.compose(p -> {
            if (p.outcome().allowed()) {
                return Future.succeededFuture(p);
            }
            metrics.counter("parley_gateway_rate_limited", "Calls refused by a rate limit",
                    "dimension", p.outcome().tokensBlocked() ? "tokens" : "requests").increment();
            return Future.failedFuture(new RateLimited(p, reserve));
        });
    }

    /** The real token count of a finished call replaces its reservation. */
    public void settle(Permit permit, long tokens) {
        if (permit == null || permit.reserved() == Math.max(0, tokens)
                || permit.subjects().stream().noneMatch(s -> s.tokensPerMinute() >= 0)) {
            return;
        }
        Windows store = permit.shared() ? shared : local;
        store.settle(permit.subjects(), permit.callId(), Math.max(0, tokens)).onFailure(this::redisFailed);
    }

    private void redisFailed(Throwable err) {
        metrics.counter("parley_gateway_rate_limit_redis_errors", "Rate-limit checks that fell back to this replica's own counters").increment();
        long now = System.currentTimeMillis();
        long last = lastWarning.get();
        if (now - last > 60_000 && lastWarning.compareAndSet(last, now)) {
            LOG.warnf("Redis unavailable for rate limits (%s): counting per replica meanwhile", err.getMessage());
        }
    }

    private static long orNone(Long limit) {
        return limit == null ? -1 : limit;
    }

    /** OpenAI's rate-limit headers for the tightest subject, on every answer of a limited caller. */
    public static void headers(MultiMap headers, Permit permit) {
        if (permit == null) {
            return;
        }
        headers(headers, permit.subjects(), permit.outcome());
    }

    static void headers(MultiMap headers, List<Windows.Subject> subjects, Windows.Outcome o) {
        int req = -1;
        int tok = -1;
        for (int i = 0; i < subjects.size(); i++) {
            Windows.Subject s = subjects.get(i);
            Windows.State st = o.states().get(i);
            if (s.requestsPerMinute() >= 0 && (req < 0 || remaining(s.requestsPerMinute(), st.requests())
                    < remaining(subjects.get(req).requestsPerMinute(), o.states().get(req).requests()))) {
                req = i;
            }
            if (s.tokensPerMinute() >= 0 && (tok < 0 || remaining(s.tokensPerMinute(), st.tokens())
                    < remaining(subjects.get(tok).tokensPerMinute(), o.states().get(tok).tokens()))) {
                tok = i;
            }
        }
        if (req >= 0) {
            Windows.Subject s = subjects.get(req);
            headers.set("x-ratelimit-limit-requests", Long.toString(s.requestsPerMinute()));
            headers.set("x-ratelimit-remaining-requests", Long.toString(remaining(s.requestsPerMinute(), o.states().get(req).requests())));
            headers.set("x-ratelimit-reset-requests", duration(o.states().get(req).resetMs()));
        }
        if (tok >= 0) {
            Windows.Subject s = subjects.get(tok);
            headers.set("x-ratelimit-limit-tokens", Long.toString(s.tokensPerMinute()));
            headers.set("x-ratelimit-remaining-tokens", Long.toString(remaining(s.tokensPerMinute(), o.states().get(tok).tokens())));
            headers.set("x-ratelimit-reset-tokens", duration(o.states().get(tok).resetMs()));
        }
    }

    private static long remaining(long limit, long used) {
        return Math.max(0, limit - used);
    }

    /** A duration as OpenAI writes it in its reset headers: {@code 120ms}, {@code 1.5s}, {@code 6m0s}. */
    static String duration(long ms) {
        ms = Math.max(0, ms);
        if (ms < 1000) {
            return ms + "ms";
        }
        long minutes = ms / 60_000;
        long restMs = ms % 60_000;
        String seconds = java.math.BigDecimal.valueOf(restMs, 3).stripTrailingZeros().toPlainString() + "s";
        return minutes > 0 ? minutes + "m" + seconds : seconds;
    }

    /** A call refused by a limit: a 429 with Retry-After and the rate-limit headers, in OpenAI's shape. */
    public static final class RateLimited extends OpenAiException {
        private final transient Permit permit;

        RateLimited(Permit p, long requested) {
            super(429, p.outcome().tokensBlocked() ? "tokens" : "requests",
                    p.outcome().tokensBlocked() && p.outcome().retryAfterMs() < 0 ? "request_too_large" : "rate_limit_exceeded", null,
                    message(p, requested), p.outcome().retryAfterMs() < 0 ? null : Math.max(1, (p.outcome().retryAfterMs() + 999) / 1000));
            this.permit = p;
        }

        public Permit permit() {
            return permit;
        }

        private static String message(Permit p, long requested) {
            Windows.Outcome o = p.outcome();
            Windows.Subject s = p.subjects().get(o.blocked());
            String who = s.key().contains("}:k:") ? "access key" : "user";
            Windows.State st = o.states().get(o.blocked());
            if (o.tokensBlocked()) {
                if (o.retryAfterMs() < 0) {
                    return "Request too large for the tokens-per-minute limit of this " + who + ": limit " + s.tokensPerMinute()
                            + ", requested " + requested + ". Send fewer tokens or a lower max_tokens.";
                }
                return "Rate limit reached for tokens per minute (" + who + "): limit " + s.tokensPerMinute() + ", used "
                        + st.tokens() + ", requested " + requested + ". Please try again in " + duration(o.retryAfterMs()) + ".";
            }
            if (o.retryAfterMs() < 0) {
                return "This " + who + " may not make calls: its requests-per-minute limit is 0.";
            }
            return "Rate limit reached for requests per minute (" + who + "): limit " + s.requestsPerMinute() + ", used "
                    + st.requests() + ", requested 1. Please try again in " + duration(o.retryAfterMs()) + ".";
        }
    }

    @Scheduled(every = "60s")
    void sweep() {
        local.sweep();
    }

    @PreDestroy
    void close() {
        if (redis != null) {
            shared.close();
            redis.close();
        }
    }
}
