package dev.parley.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where memory-service is ({@code parley.memory.url}): the gateway calls it with its non-blocking HTTP client for the
 * local embedding model, so the REST-client key ({@code quarkus.rest-client.parley-memory.url}) does not apply.
 * <p>
 * The platform's {@code ServiceUrls} is meant for this, but its prefix is all of {@code parley}: injecting it makes
 * every {@code parley.*} key that no mapping declares (such as {@code parley.auth.jwks-location}) a startup error
 * (SRCFG00050). Until it is narrowed, this mapping holds the one URL the gateway reads.
 */
@ConfigMapping(prefix = "parley.memory")
public interface MemoryServiceConfig {

    @WithDefault("http://127.0.0.1:8084")
    String url();
}
