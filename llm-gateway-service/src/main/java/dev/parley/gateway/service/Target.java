package dev.parley.gateway.service;

import java.time.Duration;
import java.util.UUID;

import dev.parley.gateway.provider.Provider;

/**
 * One deployment ready to call for one request: where, which model, with whose key, and the {@link Provider} whose
 * API it speaks. {@code provider} is the name metrics, usage events and messages use (a user's key name for their own
 * OpenAI-compatible server). {@code apiKey} is the provider key in plaintext: never logged (toString redacts it).
 */
public record Target(String deployment, String provider, Provider api, String model, String baseUrl, String apiKey,
                     UUID keyOwner, String keyName, Duration timeout, boolean userBaseUrl) {

    /** One circuit per deployment and key: one user's exhausted quota must not stop everyone else's calls. */
    public String circuitKey() {
        return keyOwner == null ? deployment : deployment + "|" + keyOwner;
    }

    /** Usage events and metrics name the provider's own model name (as price lists do). */
    public String meteredModel() {
        return model;
    }

    @Override
    public String toString() {
        return "Target[" + deployment + " via " + provider + ", key " + (apiKey == null ? "none" : "<redacted>") + "]";
    }
}
