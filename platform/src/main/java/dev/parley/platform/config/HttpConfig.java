package dev.parley.platform.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** HTTP plumbing shared by every service. */
@ConfigMapping(prefix = "parley.http")
public interface HttpConfig {

    /** Largest request body accepted; larger ones get 413 in the error shape. */
    @WithDefault("1M")
    MemorySize maxBodySize();
}
