package dev.parley.platform.client;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.ClientResponseFilter;

/**
 * Register on every service-to-service REST client ({@code @RegisterProvider(ServiceTokenFilter.class)}): sends this
 * service's token, and drops the cached token when the callee refuses it (401 with the bearer challenge: rotated or revoked), so the
 * client's {@code @Retry} — or the next call — goes out with a fresh one. To act for a user, the client method adds
 * {@code X-Parley-User} itself.
 */
@ApplicationScoped
public class ServiceTokenFilter implements ClientRequestFilter, ClientResponseFilter {
    private final ServiceTokenProvider tokens;

    public ServiceTokenFilter(ServiceTokenProvider tokens) {
        this.tokens = tokens;
    }

    @Override
    public void filter(ClientRequestContext request) {
        if (!request.getHeaders().containsKey("Authorization")) {
            request.getHeaders().putSingle("Authorization", "Bearer " + tokens.token());
        }
    }

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) {
        // Only the platform's challenge (401 + WWW-Authenticate) means "your token is refused"; a callee's own 401
        // about something in the body must not make every such call fetch a new service token.
        if (response.getStatus() == 401 && response.getHeaders().containsKey("WWW-Authenticate")) {
            tokens.invalidate();
        }
    }
}
