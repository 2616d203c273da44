package dev.parley.platform.auth;

import dev.parley.platform.error.ApiException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;

/** Request-scoped access to the authenticated caller, for resources and services on worker threads. */
@RequestScoped
public class CurrentCaller {
    private final SecurityIdentity identity;

    public CurrentCaller(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The caller; 401 in the error shape when the request is anonymous. */
    public Caller get() {
        return Caller.of(identity).orElseThrow(() -> ApiException.unauthenticated("Authentication is required"));
    }
}
