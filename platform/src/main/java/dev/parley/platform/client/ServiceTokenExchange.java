package dev.parley.platform.client;

import java.time.temporal.ChronoUnit;

import dev.parley.platform.config.ServiceIdentityConfig;
import dev.parley.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** One call to auth-service's exchange, with timeouts, retries (it is safe to repeat) and a circuit breaker. */
@ApplicationScoped
public class ServiceTokenExchange {
    private final ServiceIdentityConfig identity;
    private final ServiceTokenApi api;

    public ServiceTokenExchange(ServiceIdentityConfig identity, @RestClient ServiceTokenApi api) {
        this.identity = identity;
        this.api = api;
    }

    /** A fresh service token and its lifetime in seconds. */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, abortOn = ApiException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS,
            skipOn = ApiException.class)
    public ServiceTokenApi.Token exchange() {
        String id = identity.clientId().orElseThrow(() ->
                new ApiException(503, "SERVICE_CREDENTIALS_MISSING", "parley.service.client-id is not configured"));
        String secret = identity.clientSecret().orElseThrow(() ->
                new ApiException(503, "SERVICE_CREDENTIALS_MISSING", "parley.service.client-secret is not configured"));
        try {
            return api.exchange(new ServiceTokenApi.Credentials(id, secret));
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 401 || status == 403 || status == 400) {
                // Wrong credentials: retrying cannot help.
                throw new ApiException(503, "SERVICE_CREDENTIALS_REFUSED",
                        "auth-service refused this service's credentials");
            }
            throw e;
        }
    }

}
