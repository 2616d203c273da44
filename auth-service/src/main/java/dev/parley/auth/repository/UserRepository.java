package dev.parley.auth.repository;

import java.util.Optional;
import java.util.UUID;

import dev.parley.auth.entity.User;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class UserRepository implements PanacheRepositoryBase<User, UUID> {

    public Optional<User> findByUsername(String username) {
        return find("lower(username) = lower(?1)", username).firstResultOptional();
    }

    public boolean usernameTaken(String username) {
        return count("lower(username) = lower(?1)", username) > 0;
    }
}
