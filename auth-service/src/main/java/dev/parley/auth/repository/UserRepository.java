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

    /** The account a login names: by email when it has an {@code @} (usernames never do), else by username. */
    public Optional<User> findByLogin(String login) {
        if (login.indexOf('@') >= 0) {
            return find("lower(email) = lower(?1)", login.strip()).firstResultOptional();
        }
        return findByUsername(login);
    }

    public boolean emailTaken(String email) {
        return count("lower(email) = lower(?1)", email) > 0;
    }

    public boolean usernameTaken(String username) {
        return count("lower(username) = lower(?1)", username) > 0;
    }
}
