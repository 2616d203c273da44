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

    /** Where verifiers read the key set, when not {@code <url>/.well-known/jwks.json} (the platform reads it). */
    Optional<String> jwksLocation();

    Jwt jwt();

    /** Client id → secret of every service allowed to obtain service tokens. */
    Map<String, String> serviceClients();

    ProviderKeys providerKeys();

    /** Who may register: {@code open} (anyone), {@code invite} (with an admin's invite code), {@code closed}. */
    @WithDefault("open")
    RegistrationMode registration();

    Invites invites();

    interface Invites {
        /** How long an invite is good for when its creator does not say. */
        @WithDefault("P7D")
        Duration defaultTtl();

        /** The furthest an invite's {@code expires_at} may be. */
        @WithDefault("P365D")
        Duration maxTtl();
    }

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

        /** A NEXT key must be published this long before it may sign: longer than any verifier's JWKS cache. */
        @WithDefault("PT15M")
        Duration minNextKeyAge();

        /** How often each replica re-reads the signing keys (rotation by another replica). */
        @WithDefault("PT30S")
        Duration keyReload();
    }

    Throttle throttle();

    Cleanup cleanup();

    interface Cleanup {
        /** How often the cleanup runs ({@code off} disables it). */
        @WithDefault("1h")
        String every();
        /** Spent, revoked or expired refresh tokens are deleted this long after they stopped being usable. */
        @WithDefault("P7D")
        Duration refreshTokenGrace();

        /** Addresses a user has not logged in from for this long stop counting as known. */
        @WithDefault("P90D")
        Duration knownLoginRetention();
    }

    interface ProviderKeys {
        /** Key-encryption key file: lines {@code <version>:<base64 of 32 bytes>}; the highest version encrypts. */
        Optional<String> masterKeyLocation();

        /** More key-encryption keys by version ({@code parley.auth.provider-keys.master-keys."2"=<base64>}). */
        Map<String, String> masterKeys();

        /** Service identities allowed to read a plaintext provider key. */
        @WithDefault("llm-gateway-service")
        java.util.List<String> resolvers();

        /** Rows re-encrypted per transaction by the re-encryption job. */
        @WithDefault("100")
        int reencryptBatchSize();
    }

    interface Throttle {
        /** Failures of one username from one address before it must wait (then 1 s, 2 s, 4 s, ... up to max-lock). */
        @WithDefault("5")
        int pairFailures();

        /** Failures from one address (any username) within the window before the address must wait. */
        @WithDefault("30")
        int addressFailures();

        /** Failures of one username (any address) within the window before unknown addresses must wait. */
        @WithDefault("20")
        int usernameFailures();

        @WithDefault("PT15M")
        Duration window();

        /** No lock lasts longer than this, so the throttle cannot lock anyone out for good. */
        @WithDefault("PT5M")
        Duration maxLock();
    }
}
