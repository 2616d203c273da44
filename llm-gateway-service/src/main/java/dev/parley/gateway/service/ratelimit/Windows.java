package dev.parley.gateway.service.ratelimit;

import java.util.List;

import io.vertx.core.Future;

/**
 * Sliding one-minute windows of calls, one per subject (a user, an access key). A call is admitted only when every
 * subject has room for one more request and for its estimated tokens within the last 60 seconds; then it is recorded
 * in each, atomically. Exact in every window, not an approximation: in any 60 s, a subject never admits more than its
 * limits.
 */
public interface Windows {
    long WINDOW_MS = 60_000;

    /** A subject's counters and limits (-1: no limit on that dimension). */
    record Subject(String key, long requestsPerMinute, long tokensPerMinute) { }

    /** Where one subject stands after the check: used requests and tokens, and ms until its window is empty. */
    record State(long requests, long tokens, long resetMs) { }

    /**
     * {@code blocked}: index of the subject that refused, or -1. {@code tokensBlocked}: it was the tokens dimension.
     * {@code retryAfterMs}: when the call would fit; -1 when it never can (estimated tokens above the limit).
     */
    record Outcome(int blocked, boolean tokensBlocked, long retryAfterMs, List<State> states) {
        public boolean allowed() {
            return blocked < 0;
        }
    }

    Future<Outcome> acquire(List<Subject> subjects, String callId, long tokens);

    /** Replaces a call's reserved tokens by its real count (no-op once the call left the window). */
    Future<Void> settle(List<Subject> subjects, String callId, long tokens);
}
