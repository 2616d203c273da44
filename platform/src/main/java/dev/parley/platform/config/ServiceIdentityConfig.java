package dev.parley.platform.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** This service's own credentials, exchanged at auth-service for service tokens. */
@ConfigMapping(prefix = "parley.service")
public interface ServiceIdentityConfig {

    /** Client id, the service's name (e.g. {@code session-service}). */
    Optional<String> clientId();

    /** Client secret (from a Kubernetes Secret or the launcher's owner-only config file). */
    Optional<String> clientSecret();
}
