package dev.parley.auth.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "parley.auth")
public interface AuthConfig {

    /** Base URL of auth-service as other services reach it (used by the platform; unused here). */
    Optional<String> url();

    Jwt jwt();

    /** Client id → secret of every service allowed to obtain service tokens. */
    Map<String, String> serviceClients();

    ProviderKeys providerKeys();

    interface Jwt {
        /** PKCS#8 PEM file of the RS256 signing key. Unset: an ephemeral key (development only). */
        Optional<String> signingKeyLocation();

        @WithDefault("parley")
        String issuer();

        @WithDefault("PT15M")
        Duration accessTokenTtl();

        @WithDefault("P30D")
        Duration refreshTokenTtl();

        @WithDefault("PT5M")
        Duration serviceTokenTtl();
    }

    interface ProviderKeys {
        /** Key-encryption key file for provider keys (used from the auth-service issue on). */
        Optional<String> masterKeyLocation();
    }
}
