package dev.parley.auth.repository;

import java.util.List;
import java.util.Optional;

import dev.parley.auth.entity.SigningKey;
import dev.parley.auth.entity.SigningKey.State;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class SigningKeyRepository implements PanacheRepositoryBase<SigningKey, String> {

    public Optional<SigningKey> inState(State state) {
        return find("state", state).firstResultOptional();
    }

    public List<SigningKey> published() {
        return list("state in ?1 order by createdAt", List.of(State.NEXT, State.CURRENT, State.PREVIOUS));
    }
}
