package dev.parley.gateway.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.parley.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * One circuit breaker per deployment and key: after {@code failure-threshold} consecutive failures the circuit opens
 * and the deployment is skipped for {@code open-duration}; then one probe call is let through, which closes the
 * circuit on success and opens it again on failure. Only failing circuits are kept in memory.
 */
@ApplicationScoped
public class CircuitBreakers {
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private static final int MAX_TRACKED = 100_000;

    private final int threshold;
    private final long openNanos;
    private final LongSupplier clock;
    private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

    @Inject
    public CircuitBreakers(GatewayConfig config) {
        this(config.circuitBreaker().failureThreshold(), config.circuitBreaker().openDuration().toNanos(), System::nanoTime);
    }

    CircuitBreakers(int threshold, long openNanos, LongSupplier clock) {
        this.threshold = Math.max(1, threshold);
        this.openNanos = openNanos;
        this.clock = clock;
    }

    private static final class Breaker {
        State state = State.CLOSED;
        int failures;
        long openedAt;
        long probeAt;
        boolean probing;
    }

    /** Whether a call may go to this deployment now (an open circuit past its pause lets exactly one probe through). */
    public boolean allow(String key) {
        Breaker b = breakers.get(key);
        if (b == null) {
            return true;
        }
        synchronized (b) {
            switch (b.state) {
                case CLOSED:
                    return true;
                case OPEN:
                    if (clock.getAsLong() - b.openedAt >= openNanos) {
                        b.state = State.HALF_OPEN;
                        b.probing = true;
                        b.probeAt = clock.getAsLong();
                        return true;
                    }
                    return false;
                default:
                    // A probe whose outcome never came back (the client left, the key was refused) does not keep
                    // the circuit shut: after another pause a new probe goes through.
                    long now = clock.getAsLong();
                    if (!b.probing || now - b.probeAt >= openNanos) {
                        b.probing = true;
                        b.probeAt = now;
                        return true;
                    }
                    return false;
            }
        }
    }

    /** A successful call closes the circuit, unless it is open (a call that started before it opened is no probe). */
    public void success(String key) {
        Breaker b = breakers.get(key);
        if (b == null) {
            return;
        }
        synchronized (b) {
            if (b.state == State.OPEN) {
                return;
            }
        }
        breakers.remove(key, b);
    }

    /** A failed call: returns true when this failure opened the circuit. */
    public boolean failure(String key) {
        if (breakers.size() > MAX_TRACKED) {
            // Keys that failed a few times and were never used again: forget the closed ones.
            breakers.entrySet().removeIf(e -> e.getValue().state == State.CLOSED);
        }
        Breaker b = breakers.computeIfAbsent(key, k -> new Breaker());
        synchronized (b) {
            b.failures++;
            b.probing = false;
            if (b.state == State.HALF_OPEN || (b.state == State.CLOSED && b.failures >= threshold)) {
                b.state = State.OPEN;
                b.openedAt = clock.getAsLong();
                return true;
            }
            return false;
        }
    }

    public State state(String key) {
        Breaker b = breakers.get(key);
        if (b == null) {
            return State.CLOSED;
        }
        synchronized (b) {
            return b.state;
        }
    }

    /** Open circuits whose key starts with the deployment name (for the gauge). */
    public long openCount(String deployment) {
        return breakers.entrySet().stream()
                .filter(e -> e.getKey().equals(deployment) || e.getKey().startsWith(deployment + "|"))
                .filter(e -> state(e.getKey()) != State.CLOSED).count();
    }
}
