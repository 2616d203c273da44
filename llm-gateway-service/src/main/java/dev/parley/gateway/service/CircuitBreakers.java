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
                        return true;
                    }
                    return false;
                default:
                    if (!b.probing) {
                        b.probing = true;
                        return true;
                    }
                    return false;
            }
        }
    }

    public void success(String key) {
        breakers.remove(key);
    }

    /** A failed call: returns true when this failure opened the circuit. */
    public boolean failure(String key) {
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
                .filter(e -> e.getValue().state != State.CLOSED).count();
    }
}
