package dev.parley.platform.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A bearer credential as it arrived, with the {@code X-Parley-User} header beside it (null when absent).
 * Our own request type, so smallrye-jwt's identity provider never sees access keys.
 */
public final class BearerRequest extends BaseAuthenticationRequest {
    private final String token;
    private final String actingUser;

    public BearerRequest(String token, String actingUser) {
        this.token = token;
        this.actingUser = actingUser;
    }

    public String token() { return token; }
    public String actingUser() { return actingUser; }
    public boolean isAccessKey() { return token.startsWith("pk-"); }

    @Override
    public String toString() {
        return "BearerRequest[token=<redacted>]";
    }
}
