package dev.parley.platform.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

import dev.parley.platform.client.AuthInternalClient;
import dev.parley.platform.error.ApiException;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Verifies access keys at auth-service, cached by the key's SHA-256 (never the key itself): valid keys 15 s, so a
 * revoked key stops working everywhere within 15 s (one verify call per key and replica every 15 s); invalid keys
 * 10 s. auth-service unreachable → 503, never a 401 that
 * would tell a client its key is wrong.
 */
@DefaultBean
@ApplicationScoped
public class RemoteAccessKeys implements AccessKeyVerifier {
    static final Duration VALID_TTL = Duration.ofSeconds(15);
    static final Duration INVALID_TTL = Duration.ofSeconds(10);

    private final AuthInternalClient auth;
    private final ExpiringCache<String, Optional<VerifiedAccessKey>> cache = new ExpiringCache<>(50_000, Clock.systemUTC());

    public RemoteAccessKeys(AuthInternalClient auth) {
        this.auth = auth;
    }

    /** Refreshed in the background this long before expiry, so a busy key never waits on auth-service. */
    static final Duration REFRESH_AHEAD = Duration.ofSeconds(5);

    @Override
    public Optional<VerifiedAccessKey> verify(String key) {
        String id = sha256(key);
        Optional<Optional<VerifiedAccessKey>> cached = freshRefreshingAhead(id, key);
        if (cached.isPresent()) {
            return cached.get();
        }
        Optional<VerifiedAccessKey> result;
        try {
            result = auth.verify(key);
        } catch (RuntimeException e) {
            throw new ApiException(503, "AUTH_UNAVAILABLE", "Access keys cannot be verified right now; retry shortly");
        }
        cache.put(id, result, result.isPresent() ? VALID_TTL : INVALID_TTL, Duration.ZERO);
        return result;
    }

    @Override
    public Optional<Optional<VerifiedAccessKey>> cached(String key) {
        return freshRefreshingAhead(sha256(key), key);
    }

    /** The fresh answer; when it is about to expire, one background refresh (a revoked key still stops within 15 s). */
    private Optional<Optional<VerifiedAccessKey>> freshRefreshingAhead(String id, String key) {
        Optional<Optional<VerifiedAccessKey>> cached = cache.fresh(id);
        // Only valid keys are refreshed ahead: an unknown key keeps its short negative TTL and is asked again after it.
        if (cached.isPresent() && cached.get().isPresent() && cache.claimRefresh(id, REFRESH_AHEAD)) {
            boolean queued = CacheRefresh.submit(() -> {
                try {
                    Optional<VerifiedAccessKey> result = auth.verify(key);
                    cache.put(id, result, result.isPresent() ? VALID_TTL : INVALID_TTL, Duration.ZERO);
                } catch (RuntimeException e) {
                    cache.refreshFailed(id); // the next caller after expiry asks again, as before
                }
            });
            if (!queued) {
                cache.refreshFailed(id);
            }
        }
        return cached;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
