package dev.parley.platform.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A small bounded cache with a time to live per entry; keeps stale entries for a fallback window. */
public final class ExpiringCache<K, V> {
    private final Map<K, Entry<V>> map = new ConcurrentHashMap<>();
    private final java.util.Set<K> refreshing = ConcurrentHashMap.newKeySet();
    private final int maxSize;
    private final Clock clock;

    private record Entry<V>(V value, Instant freshUntil, Instant keepUntil) { }

    public ExpiringCache(int maxSize, Clock clock) {
        this.maxSize = maxSize;
        this.clock = clock;
    }

    public Optional<V> fresh(K key) {
        Entry<V> e = map.get(key);
        return e != null && clock.instant().isBefore(e.freshUntil()) ? Optional.of(e.value()) : Optional.empty();
    }

    /** A value past its time to live but inside its fallback window (used when the source is unreachable). */
    public Optional<V> stale(K key) {
        Entry<V> e = map.get(key);
        return e != null && clock.instant().isBefore(e.keepUntil()) ? Optional.of(e.value()) : Optional.empty();
    }

    public void put(K key, V value, Duration ttl, Duration keep) {
        Instant now = clock.instant();
        if (map.size() >= maxSize) {
            for (Iterator<Map.Entry<K, Entry<V>>> it = map.entrySet().iterator(); it.hasNext(); ) {
                if (!now.isBefore(it.next().getValue().keepUntil())) {
                    it.remove();
                }
            }
            if (map.size() >= maxSize) {
                map.clear();
            }
        }
        map.put(key, new Entry<>(value, now.plus(ttl), now.plus(ttl).plus(keep)));
        refreshing.remove(key);
    }

    /**
     * Refresh-ahead: true (once, for one caller) when the key's entry is still fresh but expires within
     * {@code margin}. That caller refreshes it in the background and {@link #put}s the new value (or calls
     * {@link #refreshFailed}); meanwhile everyone keeps getting the fresh entry, so no request waits on the source.
     */
    public boolean claimRefresh(K key, Duration margin) {
        Entry<V> e = map.get(key);
        if (e == null) {
            return false;
        }
        Instant now = clock.instant();
        if (!now.isBefore(e.freshUntil()) || now.plus(margin).isBefore(e.freshUntil())) {
            return false;
        }
        return refreshing.add(key);
    }

    public void refreshFailed(K key) {
        refreshing.remove(key);
    }

    public void clear() {
        map.clear();
        refreshing.clear();
    }

    public void invalidate(K key) {
        map.remove(key);
        refreshing.remove(key);
    }

    /** Drops every entry whose key matches (one user's entries of a cache keyed by user and name). */
    public void invalidateIf(java.util.function.Predicate<K> which) {
        map.keySet().removeIf(which);
        refreshing.removeIf(which);
    }
}
