package dev.parley.platform.config;

import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** HTTP plumbing shared by every service. */
@ConfigMapping(prefix = "parley.http")
public interface HttpConfig {

    /** Largest request body accepted; larger ones get 413 in the error shape. */
    @WithDefault("1M")
    MemorySize maxBodySize();

    /**
     * Paths (one regular expression over the whole request path) that take larger bodies, up to
     * {@link #largeBodySize()}: one upload endpoint gets its limit without raising every other endpoint's.
     */
    Optional<String> largeBodyPaths();

    /** The limit of {@link #largeBodyPaths()}; also the server's own limit when set (see microprofile-config). */
    Optional<MemorySize> largeBodySize();
}
