package dev.parley.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import dev.parley.gateway.service.CircuitBreakers.State;
import org.junit.jupiter.api.Test;

/** Circuit breakers per deployment key, on a fake clock: 3 failures open a circuit for 1000 ns. */
class CircuitBreakersTest {
    private static final int THRESHOLD = 3;
    private static final long OPEN_NANOS = 1_000;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final CircuitBreakers breakers = new CircuitBreakers(THRESHOLD, OPEN_NANOS, now::get);

    private void fail(String key, int times) {
        for (int i = 0; i < times; i++) {
            breakers.failure(key);
        }
    }

    /** Opens the circuit of {@code key} now. */
    private void open(String key) {
        fail(key, THRESHOLD);
        assertEquals(State.OPEN, breakers.state(key));
    }

    @Test
    void circuitStaysClosedUntilThresholdConsecutiveFailures() {
        assertTrue(breakers.allow("dep"));
        assertFalse(breakers.failure("dep"));
        assertFalse(breakers.failure("dep"));
        assertEquals(State.CLOSED, breakers.state("dep"));
        assertTrue(breakers.allow("dep"));

        assertTrue(breakers.failure("dep"), "the third failure opens the circuit");
        assertEquals(State.OPEN, breakers.state("dep"));
        assertFalse(breakers.allow("dep"));
    }

    @Test
    void successResetsTheFailureCount() {
        fail("dep", THRESHOLD - 1);
        breakers.success("dep");
        fail("dep", THRESHOLD - 1);
        assertEquals(State.CLOSED, breakers.state("dep"));
        assertTrue(breakers.allow("dep"));

        assertTrue(breakers.failure("dep"));
        assertEquals(State.OPEN, breakers.state("dep"));
    }

    @Test
    void openCircuitRefusesUntilTheOpenPeriodHasPassed() {
        open("dep");
        now.addAndGet(OPEN_NANOS - 1);
        assertFalse(breakers.allow("dep"));
        now.incrementAndGet();
        assertTrue(breakers.allow("dep"));
        assertEquals(State.HALF_OPEN, breakers.state("dep"));
    }

    @Test
    void halfOpenCircuitLetsExactlyOneProbeThrough() {
        open("dep");
        now.addAndGet(OPEN_NANOS);
        assertTrue(breakers.allow("dep"), "the probe");
        assertFalse(breakers.allow("dep"), "a second call while the probe runs");
    }

    @Test
    void failedProbeReopensTheCircuitForAnotherFullPeriod() {
        open("dep");
        now.addAndGet(OPEN_NANOS);
        assertTrue(breakers.allow("dep"));

        assertTrue(breakers.failure("dep"), "the failed probe opens the circuit again");
        assertEquals(State.OPEN, breakers.state("dep"));
        now.addAndGet(OPEN_NANOS - 1);
        assertFalse(breakers.allow("dep"));
        now.incrementAndGet();
        assertTrue(breakers.allow("dep"));
    }

    @Test
    void successfulProbeClosesTheCircuit() {
        open("dep");
        now.addAndGet(OPEN_NANOS);
        assertTrue(breakers.allow("dep"));

        breakers.success("dep");
        assertEquals(State.CLOSED, breakers.state("dep"));
        assertTrue(breakers.allow("dep"));
        assertTrue(breakers.allow("dep"));
        assertFalse(breakers.failure("dep"), "a closed circuit needs the full threshold of failures again");
    }

    @Test
    void keysAreIndependent() {
        open("dep|alice");
        assertFalse(breakers.allow("dep|alice"));
        assertTrue(breakers.allow("dep|bob"));
        assertTrue(breakers.allow("dep"));
        assertEquals(State.CLOSED, breakers.state("dep|bob"));
    }

    @Test
    void openCountCountsTheDeploymentAndItsPerUserKeysOnly() {
        open("dep");
        open("dep|alice");
        open("dep2");
        open("dep2|alice");
        fail("dep|bob", THRESHOLD - 1); // failing, still closed
        assertEquals(2, breakers.openCount("dep"));
        assertEquals(2, breakers.openCount("dep2"));
        assertEquals(0, breakers.openCount("de"));
    }

    @Test
    void halfOpenCircuitsAreCountedAsOpen() {
        open("dep");
        now.addAndGet(OPEN_NANOS);
        breakers.allow("dep");
        assertEquals(State.HALF_OPEN, breakers.state("dep"));
        assertEquals(1, breakers.openCount("dep"));
    }

    @Test
    void thresholdBelowOneOpensOnTheFirstFailure() {
        CircuitBreakers eager = new CircuitBreakers(0, OPEN_NANOS, now::get);
        assertTrue(eager.failure("dep"));
        assertFalse(eager.allow("dep"));
    }

    @Test
    void aProbeWhoseOutcomeNeverCameBackDoesNotKeepTheCircuitShut() {
        open("lost");
        now.addAndGet(OPEN_NANOS);
        assertTrue(breakers.allow("lost"), "the probe");
        assertFalse(breakers.allow("lost"), "one probe at a time");
        now.addAndGet(OPEN_NANOS); // the probe's caller went away without reporting
        assertTrue(breakers.allow("lost"), "another probe after another pause");
    }

    @Test
    void aLateSuccessDoesNotCloseAnOpenCircuit() {
        open("late");
        breakers.success("late"); // a call that started before the circuit opened
        assertFalse(breakers.allow("late"));
    }
}
