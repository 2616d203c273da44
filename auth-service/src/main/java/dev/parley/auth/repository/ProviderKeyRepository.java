package dev.parley.auth.repository;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.parley.auth.entity.ProviderKey;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

@ApplicationScoped
public class ProviderKeyRepository implements PanacheRepositoryBase<ProviderKey, UUID> {

    public List<ProviderKey> ofUser(UUID userId) {
        return list("userId = ?1 order by createdAt, id", userId);
    }

    public Optional<ProviderKey> ofUser(UUID userId, UUID id) {
        return find("id = ?1 and userId = ?2", id, userId).firstResultOptional();
    }

    public Optional<ProviderKey> byName(UUID userId, String name) {
        return find("userId = ?1 and name = ?2", userId, name).firstResultOptional();
    }

    public boolean nameTaken(UUID userId, String name) {
        return count("userId = ?1 and name = ?2", userId, name) > 0;
    }

    /** A batch of rows under an older key version, locked; rows another re-encryption holds are skipped. */
    public List<ProviderKey> lockOlderThan(int version, int batch) {
        return find("kekVersion < ?1 order by id", version)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .withHint("jakarta.persistence.lock.timeout", -2) // SKIP LOCKED
                .page(0, batch).list();
    }

    public long countOlderThan(int version) {
        return count("kekVersion < ?1", version);
    }
}
