package dev.parley.auth.repository;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.parley.auth.entity.AccessKey;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AccessKeyRepository implements PanacheRepositoryBase<AccessKey, UUID> {

    public List<AccessKey> byPrefix(String prefix) {
        return list("prefix", prefix);
    }

    public List<AccessKey> ofUser(UUID userId) {
        return list("userId = ?1 and revokedAt is null order by createdAt desc", userId);
    }

    public Optional<AccessKey> ofUser(UUID userId, UUID id) {
        return find("id = ?1 and userId = ?2", id, userId).firstResultOptional();
    }
}
