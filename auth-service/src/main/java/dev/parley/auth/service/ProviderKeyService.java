package dev.parley.auth.service;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.parley.auth.config.AuthConfig;
import dev.parley.auth.entity.ProviderKey;
import dev.parley.auth.repository.ProviderKeyRepository;
import dev.parley.platform.error.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/** The user's own provider keys, encrypted at rest; plaintext leaves only through {@link #resolve}. */
@ApplicationScoped
public class ProviderKeyService {
    private static final Logger LOG = Logger.getLogger(ProviderKeyService.class);
    public static final Set<String> PROVIDERS = Set.of("openai", "anthropic", "gemini", "openai_compatible");
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final ProviderKeyRepository repository;
    private final KeyEncryption encryption;
    private final SigningKeys signingKeys;
    private final AuthConfig config;

    public ProviderKeyService(ProviderKeyRepository repository, KeyEncryption encryption, SigningKeys signingKeys,
                              AuthConfig config) {
        this.repository = repository;
        this.encryption = encryption;
        this.signingKeys = signingKeys;
        this.config = config;
    }

    public record Resolved(UUID id, String provider, String name, String baseUrl, String apiKey) {
        @Override
        public String toString() {
            return "Resolved[" + id + ", " + provider + "/" + name + ", <redacted>]";
        }
    }

    public record ReencryptResult(int reencrypted, long remaining, int kekVersion, int signingKeysReencrypted) { }

    @Transactional
    public ProviderKey create(UUID userId, String provider, String apiKey, String name, String label, String baseUrl) {
        if (provider == null || !PROVIDERS.contains(provider)) {
            throw Stored.invalid("provider", "one of openai, anthropic, gemini, openai_compatible");
        }
        String n = name == null || name.isBlank() ? null : name.strip();
        if (n == null) {
            if ("openai_compatible".equals(provider)) {
                throw Stored.invalid("name", "required for openai_compatible (a slug such as my-ollama)");
            }
            n = provider;
        }
        if (!NAME.matcher(n).matches()) {
            throw Stored.invalid("name", "a slug: lowercase letters, digits and '-', at most 63 characters");
        }
        checkKey(apiKey);
        if (repository.nameTaken(userId, n)) {
            throw new ApiException(409, "PROVIDER_KEY_NAME_TAKEN", "You already have a provider key named '" + n + "'");
        }
        ProviderKey k = new ProviderKey();
        k.id = UUID.randomUUID();
        k.userId = userId;
        k.provider = provider;
        k.name = n;
        k.label = label(label);
        k.baseUrl = baseUrl(baseUrl);
        k.createdAt = Stored.now();
        k.updatedAt = k.createdAt;
        seal(k, apiKey);
        try {
            repository.persistAndFlush(k);
        } catch (PersistenceException e) {
            throw new ApiException(409, "PROVIDER_KEY_NAME_TAKEN", "You already have a provider key named '" + n + "'");
        }
        LOG.infof("provider key %s (%s) stored for %s", k.id, provider, userId);
        return k;
    }

    public List<ProviderKey> list(UUID userId) {
        return repository.ofUser(userId);
    }

    /** A user's keys for a resolver service (the gateway lists their own servers' models); the same rule as resolve. */
    public List<ProviderKey> listForResolver(String callingService, UUID userId) {
        if (!config.providerKeys().resolvers().contains(callingService)) {
            LOG.warnf("provider key list refused for service '%s'", callingService);
            throw new ApiException(403, "FORBIDDEN", "Only the gateway may list provider keys");
        }
        return repository.ofUser(userId);
    }

    public ProviderKey get(UUID userId, UUID id) {
        return repository.ofUser(userId, id).orElseThrow(ProviderKeyService::notFound);
    }

    @Transactional
    public ProviderKey update(UUID userId, UUID id, String label, String baseUrl, boolean baseUrlPresent, String apiKey) {
        ProviderKey k = get(userId, id);
        if (label != null) {
            k.label = label(label);
        }
        if (baseUrlPresent) {
            k.baseUrl = baseUrl(baseUrl);
        }
        if (apiKey != null) {
            checkKey(apiKey);
            seal(k, apiKey);
        }
        k.updatedAt = Stored.now();
        return k;
    }

    @Transactional
    public void delete(UUID userId, UUID id) {
        repository.delete(get(userId, id));
    }

    /** Plaintext for the gateway's service identity only. */
    @Transactional
    public Resolved resolve(String callingService, UUID userId, String name) {
        if (!config.providerKeys().resolvers().contains(callingService)) {
            LOG.warnf("provider key resolve refused for service '%s'", callingService);
            throw new ApiException(403, "FORBIDDEN", "Only the gateway may read provider keys");
        }
        ProviderKey k = repository.byName(userId, name).orElseThrow(ProviderKeyService::notFound);
        byte[] plain;
        try {
            plain = encryption.open(new KeyEncryption.Sealed(k.ciphertext, k.nonce, k.kekVersion), k.associatedData());
        } catch (KeyEncryption.UnreadableSecret e) {
            LOG.errorf("provider key %s cannot be decrypted: %s", k.id, e.getMessage());
            throw new ApiException(500, "PROVIDER_KEY_UNREADABLE",
                    "This provider key cannot be decrypted; an operator must check the key-encryption keys");
        }
        return new Resolved(k.id, k.provider, k.name, k.baseUrl, new String(plain, StandardCharsets.UTF_8));
    }

    /**
     * Re-encrypts every provider key under the newest key version, batch by batch (each its own transaction), then the
     * signing keys' private halves.
     */
    public ReencryptResult reencrypt() {
        int target = encryption.currentVersion();
        int total = 0;
        while (true) {
            int n = QuarkusTransaction.requiringNew().call(() -> {
                List<ProviderKey> batch = repository.lockOlderThan(target, config.providerKeys().reencryptBatchSize());
                for (ProviderKey k : batch) {
                    byte[] plain = encryption.open(new KeyEncryption.Sealed(k.ciphertext, k.nonce, k.kekVersion), k.associatedData());
                    KeyEncryption.Sealed s = encryption.seal(plain, k.associatedData());
                    java.util.Arrays.fill(plain, (byte) 0);
                    k.ciphertext = s.ciphertext();
                    k.nonce = s.nonce();
                    k.kekVersion = s.kekVersion();
                }
                return batch.size();
            });
            total += n;
            if (n == 0) {
                break;
            }
        }
        long remaining = QuarkusTransaction.requiringNew().call(() -> repository.countOlderThan(target));
        int signing = signingKeys.reencrypt();
        LOG.infof("re-encrypted %d provider keys and %d signing keys under key version %d (%d remaining)",
                total, signing, target, remaining);
        return new ReencryptResult(total, remaining, target, signing);
    }

    /** First 3 and last 4 characters, for keys long enough that this reveals little; nothing for short ones. */
    static String hint(String apiKey) {
        return apiKey.length() >= 16 ? apiKey.substring(0, 3) + "…" + apiKey.substring(apiKey.length() - 4) : "…";
    }

    private void seal(ProviderKey k, String apiKey) {
        KeyEncryption.Sealed s = encryption.seal(apiKey.getBytes(StandardCharsets.UTF_8), k.associatedData());
        k.ciphertext = s.ciphertext();
        k.nonce = s.nonce();
        k.kekVersion = s.kekVersion();
        k.keyHint = hint(apiKey);
    }

    private static void checkKey(String apiKey) {
        if (apiKey == null || apiKey.isBlank() || apiKey.length() > 4096 || !apiKey.strip().equals(apiKey)) {
            throw Stored.invalid("api_key", "1-4096 characters without surrounding whitespace");
        }
    }

    private static String label(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        if (label.length() > 200) {
            throw Stored.invalid("label", "at most 200 characters");
        }
        return label.strip();
    }

    /** Syntax only: where the gateway may connect is its egress policy, checked at call time. */
    private static String baseUrl(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        try {
            URI u = new URI(url.strip());
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
                    || u.getUserInfo() != null || u.getQuery() != null || u.getFragment() != null || url.length() > 2048) {
                throw Stored.invalid("base_url", "an http(s) URL without credentials, query or fragment");
            }
            String s = u.toString();
            return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        } catch (URISyntaxException e) {
            throw Stored.invalid("base_url", "an http(s) URL without credentials, query or fragment");
        }
    }

    private static ApiException notFound() {
        return ApiException.notFound("PROVIDER_KEY_NOT_FOUND", "No such provider key");
    }
}
