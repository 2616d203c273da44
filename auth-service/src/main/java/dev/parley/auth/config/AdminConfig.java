package dev.parley.auth.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** The first admin, created (or promoted) at start from PARLEY_ADMIN_USERNAME / PARLEY_ADMIN_PASSWORD. */
@ConfigMapping(prefix = "parley.admin")
public interface AdminConfig {
    Optional<String> username();

    Optional<String> password();
}
