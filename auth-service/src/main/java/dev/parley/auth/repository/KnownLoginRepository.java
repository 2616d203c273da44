package dev.parley.auth.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * {@code known_logins}: the client addresses each user has logged in from, and when last. Native SQL (an upsert on
 * the pair). Call these inside a transaction.
 */
@ApplicationScoped
public class KnownLoginRepository {
    private final EntityManager em;

    public KnownLoginRepository(EntityManager em) {
        this.em = em;
    }

    /** A successful login of this user from this address, at {@code at}. */
    public void remember(UUID userId, String address, Instant at) {
        em.createNativeQuery("INSERT INTO known_logins (user_id, client_address, last_success_at) VALUES (?1, ?2, ?3) "
                        + "ON CONFLICT (user_id, client_address) DO UPDATE SET last_success_at = EXCLUDED.last_success_at")
                .setParameter(1, userId).setParameter(2, address).setParameter(3, at).executeUpdate();
    }

    /** This user logged in from this address after {@code since}. */
    public boolean knownSince(UUID userId, String address, Instant since) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM known_logins WHERE user_id = ?1 "
                        + "AND client_address = ?2 AND last_success_at > ?3")
                .setParameter(1, userId).setParameter(2, address).setParameter(3, since)
                .getSingleResult()).longValue() > 0;
    }

    /** The addresses this user logged in from and when last, newest first (client_address, last_success_at). */
    public java.util.List<Object[]> ofUser(UUID userId) {
        return em.createNativeQuery("SELECT client_address, last_success_at FROM known_logins WHERE user_id = ?1 "
                + "ORDER BY last_success_at DESC", Object[].class).setParameter(1, userId).getResultList();
    }

    public int deleteOfUser(UUID userId) {
        return em.createNativeQuery("DELETE FROM known_logins WHERE user_id = ?1").setParameter(1, userId).executeUpdate();
    }

    /** Deletes the addresses not logged in from since {@code cutoff}. */
    public int deleteUnusedSince(Instant cutoff) {
        return em.createNativeQuery("DELETE FROM known_logins WHERE last_success_at < ?1")
                .setParameter(1, cutoff).executeUpdate();
    }
}
