package dev.parley.auth.repository;

import java.util.List;
import java.util.Optional;

import dev.parley.auth.entity.SigningKey;
import dev.parley.auth.entity.SigningKey.State;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class SigningKeyRepository implements PanacheRepositoryBase<SigningKey, String> {
    private static final long ADVISORY_LOCK = 0x7061726c6579L; // "parley"

    /**
     * Serialises the replicas that change signing keys (start-up, rotation, re-encryption): a PostgreSQL advisory
     * lock held until the caller's transaction ends.
     */
    public void lockAgainstOtherReplicas() {
        getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK + ")").getSingleResult();
    }

    public Optional<SigningKey> inState(State state) {
        return find("state", state).firstResultOptional();
    }

    public List<SigningKey> published() {
        return list("state in ?1 order by createdAt", List.of(State.NEXT, State.CURRENT, State.PREVIOUS));
    }
}
