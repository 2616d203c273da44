package dev.parley.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import dev.parley.auth.config.AuthConfig;
import dev.parley.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Client-credential exchange: a configured service client id and secret for a 5-minute service token. */
@ApplicationScoped
public class ServiceClients {
    private static final Logger LOG = Logger.getLogger(ServiceClients.class);

    private final Map<String, String> clients;
    private final TokenIssuer issuer;

    public ServiceClients(AuthConfig config, TokenIssuer issuer) {
        this.clients = byClientId(config.serviceClients());
        this.issuer = issuer;
    }

    /**
     * The configured clients keyed by their canonical id. Client ids are slugs ({@code llm-gateway-service}), but an
     * environment variable cannot spell a dash: {@code PARLEY_AUTH_SERVICE_CLIENTS__LLM_GATEWAY_SERVICE__} (the form
     * SmallRye Config maps to a map key; a single underscore maps to nothing) arrives as {@code llm.gateway.service}.
     * So dots and underscores in a configured id count as dashes, case ignored.
     */
    static Map<String, String> byClientId(Map<String, String> configured) {
        Map<String, String> out = new HashMap<>();
        configured.forEach((id, secret) -> out.put(canonical(id), secret));
        return Map.copyOf(out);
    }

    static String canonical(String clientId) {
        return clientId.toLowerCase(Locale.ROOT).replace('.', '-').replace('_', '-');
    }

    public TokenIssuer.Signed exchange(String clientId, String clientSecret) {
        String expected = clientId.equals(canonical(clientId)) ? clients.get(clientId) : null;
        // Compare digests in constant time; an unknown client costs the same as a wrong secret.
        byte[] want = digest(expected == null ? "\u0000unknown-client" : expected);
        byte[] got = digest(clientSecret);
        if (expected == null || expected.isEmpty() || !MessageDigest.isEqual(want, got)) {
            LOG.warnf("service token refused for client '%s'", sanitize(clientId));
            throw new ApiException(401, "INVALID_CLIENT", "Unknown client or wrong secret");
        }
        return issuer.serviceToken(clientId);
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sanitize(String s) {
        String v = s.length() > 64 ? s.substring(0, 64) : s;
        return v.replaceAll("[^A-Za-z0-9._-]", "?");
    }
}
