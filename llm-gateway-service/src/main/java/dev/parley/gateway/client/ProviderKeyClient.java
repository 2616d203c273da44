package dev.parley.gateway.client;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Resolves a user's provider key at auth-service: a read, so retried once, behind a circuit breaker; blocking, so
 * called from a worker thread ({@code ProviderKeys} caches the answers).
 */
@ApplicationScoped
public class ProviderKeyClient {
    /** A user's key in plaintext; never logged (toString redacts it). */
    public record UserKey(UUID id, String provider, String name, String baseUrl, String apiKey) {
        @Override
        public String toString() {
            return "UserKey[" + provider + "/" + name + ", <redacted>]";
        }
    }

    /** One of a user's keys by name, without its secret (resolve it to call it). */
    public record KeyName(String provider, String name) { }

    private final ProviderKeyApi api;

    public ProviderKeyClient(@RestClient ProviderKeyApi api) {
        this.api = api;
    }

    /** The user's key of that name, or empty when they have none (auth-service answers 404). */
    @Timeout(value = 3, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 1, delay = 100, abortOn = WebApplicationException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS)
    public Optional<UserKey> resolve(UUID userId, String name) {
        try {
            ProviderKeyApi.ResolvedKey k = api.resolve(new ProviderKeyApi.ResolveRequest(userId, name));
            return Optional.of(new UserKey(k.id(), k.provider(), k.name(), k.baseUrl(), k.apiKey()));
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                return Optional.empty();
            }
            throw new IllegalStateException("auth-service answered " + e.getResponse().getStatus() + " to a key resolve");
        }
    }

    /**
     * The names of the user's provider keys of one type. An auth-service without the list endpoint (404) answers
     * none, so the gateway runs against an older auth-service.
     */
    @Timeout(value = 3, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 1, delay = 100, abortOn = WebApplicationException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS)
    public List<KeyName> list(UUID userId, String provider) {
        try {
            ProviderKeyApi.KeyList list = api.list(userId);
            return list == null || list.data() == null ? List.of() : list.data().stream()
                    .filter(k -> k != null && provider.equals(k.provider()) && k.name() != null)
                    .map(k -> new KeyName(k.provider(), k.name())).toList();
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                return List.of();
            }
            throw new IllegalStateException("auth-service answered " + e.getResponse().getStatus() + " to a key list");
        }
    }
}
