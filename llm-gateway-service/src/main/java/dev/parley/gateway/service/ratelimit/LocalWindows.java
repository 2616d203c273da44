package dev.parley.gateway.service.ratelimit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.vertx.core.Future;

/**
 * The windows in this process: exact for one replica (with several replicas, each counts alone, so a limit is
 * effectively multiplied by the replica count; configure Redis for shared counters). Windows idle for a minute are
 * dropped by {@link #sweep()}.
 */
public final class LocalWindows implements Windows {
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    public LocalWindows(LongSupplier clockMs) {
        this.clock = clockMs;
    }

    private static final class Entry {
        final long at;
        final String id;
        long tokens;

        Entry(long at, String id, long tokens) {
            this.at = at;
            this.id = id;
            this.tokens = tokens;
        }
    }

    private static final class Window {
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        final Map<String, Entry> byId = new HashMap<>();
        long tokens;
        /** Removed from the map by a sweep: a call that still holds it starts over. */
        boolean dead;

        void expire(long now) {
            long cutoff = now - WINDOW_MS;
            while (!entries.isEmpty() && entries.peekFirst().at <= cutoff) {
                Entry e = entries.pollFirst();
                byId.remove(e.id);
                tokens -= e.tokens;
            }
        }

        long resetMs(long now) {
            return entries.isEmpty() ? 0 : entries.peekLast().at + WINDOW_MS - now;
        }
    }

    @Override
    public Future<Outcome> acquire(List<Subject> subjects, String callId, long tokens) {
        return Future.succeededFuture(acquireNow(subjects, callId, tokens));
    }

    /** Locks the subjects' windows in key order (no deadlock between two calls of one user), then decides. */
    Outcome acquireNow(List<Subject> subjects, String callId, long tokens) {
        while (true) {
            Outcome o = tryAcquire(subjects, callId, tokens);
            if (o != null) {
                return o;
            }
        }
    }

    private Outcome tryAcquire(List<Subject> subjects, String callId, long tokens) {
        List<Window> ws = new ArrayList<>(subjects.size());
        for (Subject s : subjects) {
            ws.add(windows.computeIfAbsent(s.key(), k -> new Window()));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < subjects.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> subjects.get(a).key().compareTo(subjects.get(b).key()));
        return locked(order, 0, ws, () -> decide(subjects, ws, callId, tokens));
    }

    private static <T> T locked(List<Integer> order, int i, List<Window> ws, java.util.function.Supplier<T> body) {
        if (i == order.size()) {
            return body.get();
        }
        synchronized (ws.get(order.get(i))) {
            return locked(order, i + 1, ws, body);
        }
    }

    private Outcome decide(List<Subject> subjects, List<Window> ws, String callId, long tokens) {
        for (Window w : ws) {
            if (w.dead) {
                return null;
            }
        }
        long now = clock.getAsLong();
        int blocked = -1;
        boolean tokensBlocked = false;
        long retry = 0;
        for (int i = 0; i < subjects.size() && blocked < 0; i++) {
            Subject s = subjects.get(i);
            Window w = ws.get(i);
            w.expire(now);
            int count = w.entries.size();
            if (s.requestsPerMinute() >= 0 && count >= s.requestsPerMinute()) {
                blocked = i;
                retry = s.requestsPerMinute() == 0 ? -1 : nth(w, count - (int) s.requestsPerMinute()).at + WINDOW_MS - now;
            } else if (s.tokensPerMinute() >= 0 && w.tokens + tokens > s.tokensPerMinute()) {
                blocked = i;
                tokensBlocked = true;
                retry = tokens > s.tokensPerMinute() ? -1 : untilFreed(w, w.tokens + tokens - s.tokensPerMinute(), now);
            }
        }
        if (blocked < 0) {
            for (Window w : ws) {
                Entry e = new Entry(now, callId, tokens);
                w.entries.addLast(e);
                w.byId.put(callId, e);
                w.tokens += tokens;
            }
        }
        List<State> states = new ArrayList<>(ws.size());
        for (int i = 0; i < ws.size(); i++) {
            Window w = ws.get(i);
            w.expire(now);
            states.add(new State(w.entries.size(), w.tokens, w.resetMs(now)));
        }
        return new Outcome(blocked, tokensBlocked, retry, states);
    }

    private static Entry nth(Window w, int n) {
        Iterator<Entry> it = w.entries.iterator();
        Entry e = it.next();
        for (int i = 0; i < n; i++) {
            e = it.next();
        }
        return e;
    }

    /** ms until the oldest entries holding {@code need} tokens have left the window. */
    private static long untilFreed(Window w, long need, long now) {
        long freed = 0;
        for (Entry e : w.entries) {
            freed += e.tokens;
            if (freed >= need) {
                return e.at + WINDOW_MS - now;
            }
        }
        return WINDOW_MS;
    }

    @Override
    public Future<Void> settle(List<Subject> subjects, String callId, long tokens) {
        for (Subject s : subjects) {
            Window w = windows.get(s.key());
            if (w == null) {
                continue;
            }
            synchronized (w) {
                Entry e = w.byId.get(callId);
                if (e != null) {
                    w.tokens += tokens - e.tokens;
                    e.tokens = tokens;
                }
            }
        }
        return Future.succeededFuture();
    }

    /** Drops windows with nothing left in them. */
    public void sweep() {
        long now = clock.getAsLong();
        windows.forEach((key, w) -> {
            synchronized (w) {
                w.expire(now);
                if (w.entries.isEmpty()) {
                    w.dead = true;
                    windows.remove(key, w);
                }
            }
        });
    }

    int size() {
        return windows.size();
    }
}
