package dev.parley.auth.repository;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * {@code login_throttle}: failed-login counters per scope (pair, address, username) and key, each in a window, with
 * the time its lock ends. Native SQL: a failure is counted with one upsert that restarts an expired window, so
 * replicas counting at once never lose a failure. Call these inside a transaction.
 */
@ApplicationScoped
public class LoginThrottleRepository {
    private final EntityManager em;

    public LoginThrottleRepository(EntityManager em) {
        this.em = em;
    }

    /** When the lock of that counter ends, if it has one (past or not); null when none. */
    public Instant lockedUntil(String scope, String key) {
        List<?> rows = em.createNativeQuery("SELECT locked_until FROM login_throttle WHERE scope = ?1 AND key = ?2", Instant.class)
                .setParameter(1, scope).setParameter(2, key).getResultList();
        return rows.isEmpty() ? null : (Instant) rows.get(0);
    }

    /**
     * Counts one failure at {@code now}: the counter starts again at 1 when its window began before {@code windowStart}.
     * Answers the failures in the window, this one included.
     */
    public int countFailure(String scope, String key, Instant now, Instant windowStart) {
        Number failures = (Number) em.createNativeQuery(
                        "INSERT INTO login_throttle (scope, key, failures, window_start) VALUES (?1, ?2, 1, ?3) "
                                + "ON CONFLICT (scope, key) DO UPDATE SET "
                                + "failures = CASE WHEN login_throttle.window_start < ?4 THEN 1 ELSE login_throttle.failures + 1 END, "
                                + "window_start = CASE WHEN login_throttle.window_start < ?4 THEN ?3 ELSE login_throttle.window_start END "
                                + "RETURNING failures")
                .setParameter(1, scope).setParameter(2, key).setParameter(3, now).setParameter(4, windowStart)
                .getSingleResult();
        return failures.intValue();
    }

    public void lockUntil(String scope, String key, Instant until) {
        em.createNativeQuery("UPDATE login_throttle SET locked_until = ?3 WHERE scope = ?1 AND key = ?2")
                .setParameter(1, scope).setParameter(2, key).setParameter(3, until).executeUpdate();
    }

    public void clear(String scope, String key) {
        em.createNativeQuery("DELETE FROM login_throttle WHERE scope = ?1 AND key = ?2")
                .setParameter(1, scope).setParameter(2, key).executeUpdate();
    }

    /** Deletes the counters that name this (lower-case) username: its own and those of its username+address pairs. */
    public int deleteOfUsername(String lowerUsername) {
        return em.createNativeQuery("DELETE FROM login_throttle WHERE (scope = 'username' AND key = ?1) "
                        + "OR (scope = 'pair' AND left(key, length(?1) + 1) = ?1 || '|')")
                .setParameter(1, lowerUsername).executeUpdate();
    }

    /** Deletes the counters whose window began before {@code windowStart} and whose lock (if any) ended before {@code now}. */
    public int deleteFinished(Instant windowStart, Instant now) {
        return em.createNativeQuery("DELETE FROM login_throttle WHERE window_start < ?1 AND (locked_until IS NULL OR locked_until < ?2)")
                .setParameter(1, windowStart).setParameter(2, now).executeUpdate();
    }
}
