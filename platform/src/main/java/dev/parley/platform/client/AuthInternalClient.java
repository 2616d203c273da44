package dev.parley.platform.client;

import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

import dev.parley.platform.auth.AccessKeyVerifier.VerifiedAccessKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Calls to auth-service's identity endpoints: timeouts, retries (both calls are reads), circuit breaker. */
@ApplicationScoped
public class AuthInternalClient {
    private final AuthInternalApi api;

    public AuthInternalClient(@RestClient AuthInternalApi api) {
        this.api = api;
    }

    /** The user's status; unknown users are not enabled. */
    @Timeout(value = 3, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 1, delay = 100)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS)
    public boolean enabled(UUID userId) {
        return api.status(userId).enabled();
    }

    /** The verified key, or empty when auth-service says the key is not valid (401/404). */
    @Timeout(value = 3, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 1, delay = 100)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS)
    public Optional<VerifiedAccessKey> verify(String key) {
        try {
            AuthInternalApi.Verified v = api.verify(new AuthInternalApi.VerifyRequest(key));
            return Optional.of(new VerifiedAccessKey(v.userId(), v.username(),
                    v.roles() == null ? java.util.Set.of() : v.roles(), v.keyId(),
                    v.allowedModels() == null ? java.util.List.of() : v.allowedModels()));
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 401 || status == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

}
