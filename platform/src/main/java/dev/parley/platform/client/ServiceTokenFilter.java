package dev.parley.platform.client;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;

/**
 * Register on a service-to-service REST client ({@code @RegisterProvider(ServiceTokenFilter.class)}): sends this
 * service's token. To act for a user, the client method adds {@code X-Parley-User} itself.
 */
@ApplicationScoped
public class ServiceTokenFilter implements ClientRequestFilter {
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
}
