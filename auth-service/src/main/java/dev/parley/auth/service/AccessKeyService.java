package dev.parley.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.parley.auth.entity.AccessKey;
import dev.parley.auth.entity.User;
import dev.parley.auth.repository.AccessKeyRepository;
import dev.parley.auth.repository.UserRepository;
import dev.parley.platform.auth.AccessKeyVerifier.VerifiedAccessKey;
import dev.parley.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/**
 * Parley access keys: {@code pk-} + 43 base64url characters (256 random bits). Stored as a SHA-256 hash (a slow hash
 * buys nothing for 256-bit random secrets) with the first 8 characters as a lookup prefix.
 */
@ApplicationScoped
public class AccessKeyService {
    private static final Logger LOG = Logger.getLogger(AccessKeyService.class);
    static final Pattern FORMAT = Pattern.compile("pk-[A-Za-z0-9_-]{43}");
    static final Pattern MODEL_PATTERN = Pattern.compile("[A-Za-z0-9._:/*@+-]{1,200}");
    static final int MAX_ACTIVE_KEYS = 100;
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    private final AccessKeyRepository keys;
    private final UserRepository users;
    private final SecureRandom random = new SecureRandom();

    public AccessKeyService(AccessKeyRepository keys, UserRepository users) {
        this.keys = keys;
        this.users = users;
    }

    public record Created(AccessKey key, String plaintext) {
        @Override
        public String toString() {
            return "Created[" + key.id + ", <redacted>]";
        }
    }

    @Transactional
    public Created create(UUID userId, String name, Instant expiresAt, List<String> allowedModels) {
        Instant now = Stored.now();
        if (name == null || name.isBlank() || name.length() > 100) {
            throw Stored.invalid("name", "1-100 characters");
        }
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw Stored.invalid("expires_at", "must be in the future");
        }
        List<String> models = allowedModels == null ? List.of() : allowedModels;
        if (models.size() > 100) {
            throw Stored.invalid("allowed_models", "at most 100 entries");
        }
        for (String m : models) {
            if (m == null || !MODEL_PATTERN.matcher(m).matches()) {
                throw Stored.invalid("allowed_models", "model names or patterns such as openai/gpt-4o* (letters, digits, . _ : / * @ + -)");
            }
        }
        if (keys.count("userId = ?1 and revokedAt is null", userId) >= MAX_ACTIVE_KEYS) {
            throw new ApiException(409, "TOO_MANY_ACCESS_KEYS", "At most " + MAX_ACTIVE_KEYS + " active access keys");
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String body = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String plaintext = "pk-" + body;
        AccessKey key = new AccessKey();
        key.id = UUID.randomUUID();
        key.userId = userId;
        key.name = name.strip();
        key.prefix = body.substring(0, 8);
        key.keyHash = TokenIssuer.sha256Hex(plaintext);
        key.allowedModels = new ArrayList<>(models);
        key.createdAt = now;
        key.expiresAt = expiresAt;
        keys.persist(key);
        LOG.infof("access key %s created for %s", key.id, userId);
        return new Created(key, plaintext);
    }

    public List<AccessKey> list(UUID userId) {
        return keys.ofUser(userId);
    }

    @Transactional
    public void revoke(UUID userId, UUID keyId) {
        AccessKey key = keys.ofUser(userId, keyId).filter(k -> k.revokedAt == null)
                .orElseThrow(() -> ApiException.notFound("ACCESS_KEY_NOT_FOUND", "No such access key"));
        key.revokedAt = Stored.now();
        LOG.infof("access key %s revoked", key.id);
    }

    /** The owner's identity for a valid key; empty for unknown, revoked, expired keys or disabled owners. */
    @Transactional
    public Optional<VerifiedAccessKey> verify(String presented) {
        if (presented == null || !FORMAT.matcher(presented).matches()) {
            return Optional.empty();
        }
        String hash = TokenIssuer.sha256Hex(presented);
        byte[] want = hash.getBytes(StandardCharsets.US_ASCII);
        Instant now = Stored.now();
        for (AccessKey k : keys.byPrefix(presented.substring(3, 11))) {
            if (!MessageDigest.isEqual(want, k.keyHash.getBytes(StandardCharsets.US_ASCII))) {
                continue;
            }
            if (!k.usableAt(now)) {
                return Optional.empty();
            }
            User owner = users.findById(k.userId);
            if (owner == null || !owner.enabled) {
                return Optional.empty();
            }
            if (k.lastUsedAt == null || k.lastUsedAt.plus(LAST_USED_GRANULARITY).isBefore(now)) {
                k.lastUsedAt = now;
            }
            return Optional.of(new VerifiedAccessKey(owner.id, owner.username, java.util.Set.copyOf(owner.roles), k.id,
                    List.copyOf(k.allowedModels)));
        }
        return Optional.empty();
    }
}
