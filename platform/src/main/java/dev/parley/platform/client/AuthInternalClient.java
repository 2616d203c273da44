package dev.parley.platform.client;

import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.parley.platform.auth.AccessKeyVerifier.VerifiedAccessKey;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

/** Calls to auth-service's identity endpoints: timeouts, retries (both calls are reads), circuit breaker. */
@ApplicationScoped
public class AuthInternalClient {
    private final String authUrl;
    private final ServiceTokenFilter tokens;
    private volatile AuthInternalApi api;

    public AuthInternalClient(@ConfigProperty(name = "parley.auth.url", defaultValue = "http://127.0.0.1:8081") String authUrl,
                              ServiceTokenFilter tokens) {
        this.authUrl = authUrl;
        this.tokens = tokens;
    }

    /** The user's status; unknown users are not enabled. */
    @Timeout(value = 3, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 1, delay = 100)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS)
    public boolean enabled(UUID userId) {
        return api().status(userId).enabled();
    }

    /** The verified key, or empty when auth-service says the key is not valid (401/404). */
    @Timeout(value = 3, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 1, delay = 100)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS)
    public Optional<VerifiedAccessKey> verify(String key) {
        try {
            AuthInternalApi.Verified v = api().verify(new AuthInternalApi.VerifyRequest(key));
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

    private AuthInternalApi api() {
        AuthInternalApi a = api;
        if (a == null) {
            a = QuarkusRestClientBuilder.newBuilder()
                    .baseUri(URI.create(authUrl))
                    .connectTimeout(2, TimeUnit.SECONDS)
                    .readTimeout(3, TimeUnit.SECONDS)
                    .register(tokens)
                    .build(AuthInternalApi.class);
            api = a;
        }
        return a;
    }
}
