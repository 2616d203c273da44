package dev.parley.auth.repository;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import dev.parley.auth.entity.RefreshToken;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

@ApplicationScoped
public class RefreshTokenRepository implements PanacheRepositoryBase<RefreshToken, UUID> {

    /** The row of a presented token, locked so two concurrent refreshes of one token are serialised. */
    public Optional<RefreshToken> lockByHash(String hash) {
        return find("tokenHash", hash).withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }

    public int revokeFamily(UUID familyId, Instant at) {
        return update("revokedAt = ?1 where familyId = ?2 and revokedAt is null", at, familyId);
    }

    public int revokeAllOfUser(UUID userId, Instant at) {
        return update("revokedAt = ?1 where userId = ?2 and revokedAt is null", at, userId);
    }

    public int revokeAllOfUserExcept(UUID userId, UUID keepFamily, Instant at) {
        return update("revokedAt = ?1 where userId = ?2 and familyId <> ?3 and revokedAt is null", at, userId, keepFamily);
    }

    /** Deletes the tokens that expired, were revoked or were used before {@code cutoff} (kept until then for reuse detection). */
    public long deleteSpentBefore(Instant cutoff) {
        return delete("expiresAt < ?1 or revokedAt < ?1 or usedAt < ?1", cutoff);
    }
}
