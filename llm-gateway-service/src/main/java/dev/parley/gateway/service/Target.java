package dev.parley.gateway.service;

import java.time.Duration;
import java.util.UUID;

/**
 * One deployment ready to call for one request: where, which model, and with whose key. {@code apiKey} is the
 * provider key in plaintext: never logged (toString redacts it).
 */
public record Target(String deployment, String provider, Kind kind, String model, String baseUrl, String apiKey,
                     UUID keyOwner, String keyName, Duration timeout, boolean userBaseUrl) {

    /** The wire format spoken to the deployment. */
    public enum Kind {
        OPENAI(null), ANTHROPIC(new dev.parley.gateway.service.wire.AnthropicDialect()),
        GEMINI(new dev.parley.gateway.service.wire.GeminiDialect()), ECHO(null), MEMORY(null);

        private final dev.parley.gateway.service.wire.Dialect dialect;

        Kind(dev.parley.gateway.service.wire.Dialect dialect) {
            this.dialect = dialect;
        }

        /** The provider's own wire format, or null when the deployment speaks OpenAI's. */
        public dev.parley.gateway.service.wire.Dialect dialect() {
            return dialect;
        }

        /** The wire format of a provider type: openai, anthropic, gemini; anything else speaks OpenAI's. */
        public static Kind ofProviderType(String type) {
            return switch (type == null ? "" : type) {
                case "anthropic" -> ANTHROPIC;
                case "gemini" -> GEMINI;
                default -> OPENAI;
            };
        }
    }

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
