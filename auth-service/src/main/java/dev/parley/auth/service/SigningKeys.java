package dev.parley.auth.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.parley.auth.config.AuthConfig;
import dev.parley.auth.entity.SigningKey;
import dev.parley.auth.entity.SigningKey.State;
import dev.parley.auth.repository.SigningKeyRepository;
import dev.parley.platform.error.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * RS256 signing keys with rotation that never refuses a valid token. Keys live in the database (private halves
 * AES-GCM encrypted under the key-encryption key), so every replica signs with the same CURRENT key:
 * <ul>
 * <li>NEXT is published in the JWKS before it signs anything, for at least {@code min-next-key-age} (longer than
 * any verifier's JWKS cache), so a verifier already knows it when the first token signed with it arrives;</li>
 * <li>PREVIOUS stays published until every token it signed has expired;</li>
 * <li>{@link #rotate()} (an admin operation) moves NEXT to CURRENT, CURRENT to PREVIOUS, and makes a new NEXT.</li>
 * </ul>
 * A configured PEM key ({@code parley.auth.jwt.signing-key-location}) is imported as CURRENT when the database has
 * none. Key ids are RFC 7638 thumbprints.
 */
@ApplicationScoped
public class SigningKeys {
    private static final Logger LOG = Logger.getLogger(SigningKeys.class);

    private final AuthConfig config;
    private final SigningKeyRepository repository;
    private final KeyEncryption encryption;
    private volatile Snapshot snapshot;

    /** What this replica signs with and publishes, as last read from the database. */
    private record Snapshot(String kid, RSAPrivateKey privateKey, List<Map<String, Object>> jwks, Instant readAt) { }

    public SigningKeys(AuthConfig config, SigningKeyRepository repository, KeyEncryption encryption) {
        this.config = config;
        this.repository = repository;
        this.encryption = encryption;
    }

    void onStart(@Observes StartupEvent event) {
        QuarkusTransaction.requiringNew().run(this::ensureKeys);
        reload();
    }

    /** The key to sign with and its kid, from one consistent snapshot. */
    public record Signer(String kid, RSAPrivateKey key) { }

    public Signer signer() {
        Snapshot s = current();
        return new Signer(s.kid(), s.privateKey());
    }

    public Map<String, Object> jwks() {
        return Map.of("keys", current().jwks());
    }

    /** Advances the rotation; 409 when NEXT has not been published long enough for verifiers to know it. */
    public Map<String, Object> rotate() {
        QuarkusTransaction.requiringNew().run(() -> {
            lock();
            Instant now = now();
            SigningKey next = repository.inState(State.NEXT).orElseThrow(() ->
                    new ApiException(409, "NO_NEXT_KEY", "There is no next signing key to rotate to"));
            Instant usableAt = next.createdAt.plus(config.jwt().minNextKeyAge());
            if (now.isBefore(usableAt)) {
                throw new ApiException(409, "NEXT_KEY_TOO_NEW",
                        "The next key has not been published long enough for every verifier to know it",
                        Map.of("usable_after", usableAt.toString()));
            }
            repository.inState(State.PREVIOUS).ifPresent(p -> {
                p.state = State.RETIRED;
                repository.flush();
            });
            repository.inState(State.CURRENT).ifPresent(c -> {
                c.state = State.PREVIOUS;
                c.deactivatedAt = now;
                repository.flush();
            });
            next.state = State.CURRENT;
            next.activatedAt = now;
            repository.flush();
            repository.persist(generate(State.NEXT, now));
            LOG.infof("signing key rotated: %s is now current", next.kid);
        });
        reload();
        return status();
    }

    public Map<String, Object> status() {
        List<Map<String, Object>> keys = new ArrayList<>();
        QuarkusTransaction.requiringNew().run(() -> {
            for (SigningKey k : repository.published()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kid", k.kid);
                m.put("state", k.state.name().toLowerCase());
                m.put("created_at", k.createdAt.toString());
                m.put("activated_at", k.activatedAt == null ? null : k.activatedAt.toString());
                m.put("deactivated_at", k.deactivatedAt == null ? null : k.deactivatedAt.toString());
                if (k.state == State.NEXT) {
                    m.put("usable_after", k.createdAt.plus(config.jwt().minNextKeyAge()).toString());
                }
                keys.add(m);
            }
        });
        return Map.of("data", keys);
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (s == null || s.readAt().plus(config.jwt().keyReload()).isBefore(Instant.now())) {
            s = reload();
        }
        return s;
    }

    private synchronized Snapshot reload() {
        Snapshot s = QuarkusTransaction.requiringNew().call(() -> {
            SigningKey cur = repository.inState(State.CURRENT)
                    .orElseThrow(() -> new IllegalStateException("no CURRENT signing key"));
            RSAPrivateKey priv = decode(encryption.open(
                    new KeyEncryption.Sealed(cur.privateEnc, cur.nonce, cur.kekVersion), cur.associatedData()));
            Instant now = now();
            // PREVIOUS is published while tokens it signed may still be valid (plus the verifiers' clock skew).
            Duration stillValid = max(config.jwt().accessTokenTtl(), config.jwt().serviceTokenTtl()).plusSeconds(60);
            List<Map<String, Object>> jwks = new ArrayList<>();
            for (SigningKey k : repository.published()) {
                if (k.state == State.PREVIOUS && k.deactivatedAt != null && k.deactivatedAt.plus(stillValid).isBefore(now)) {
                    continue;
                }
                Map<String, Object> jwk = new LinkedHashMap<>();
                jwk.put("kty", "RSA");
                jwk.put("use", "sig");
                jwk.put("alg", "RS256");
                jwk.put("kid", k.kid);
                jwk.put("n", k.publicN);
                jwk.put("e", k.publicE);
                jwks.add(Map.copyOf(jwk));
            }
            return new Snapshot(cur.kid, priv, List.copyOf(jwks), Instant.now());
        });
        snapshot = s;
        return s;
    }

    /** At start: a CURRENT key (imported from configuration, or generated) and a NEXT key, once across replicas. */
    void ensureKeys() {
        lock();
        Instant now = now();
        if (repository.inState(State.CURRENT).isEmpty()) {
            SigningKey cur = config.jwt().signingKeyLocation()
                    .map(location -> fromPrivateKey(readPkcs8(Path.of(location)), State.CURRENT, now))
                    .orElseGet(() -> {
                        LOG.warn("parley.auth.jwt.signing-key-location is not set and no key is stored: generating one");
                        return generate(State.CURRENT, now);
                    });
            cur.activatedAt = now;
            SigningKey existing = repository.findById(cur.kid);
            if (existing != null) {
                existing.state = State.CURRENT;
                existing.activatedAt = now;
            } else {
                repository.persist(cur);
            }
            repository.flush();
        }
        if (repository.inState(State.NEXT).isEmpty()) {
            repository.persist(generate(State.NEXT, now));
        }
    }

    private void lock() {
        repository.lockAgainstOtherReplicas();
    }

    private SigningKey generate(State state, Instant now) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            return fromPrivateKey((RSAPrivateKey) gen.generateKeyPair().getPrivate(), state, now);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private SigningKey fromPrivateKey(RSAPrivateKey key, State state, Instant now) {
        if (!(key instanceof RSAPrivateCrtKey crt)) {
            throw new IllegalStateException("The signing key must be an RSA private key with CRT parameters");
        }
        if (crt.getModulus().bitLength() < 2048) {
            throw new IllegalStateException("The signing key must have at least 2048 bits");
        }
        SigningKey k = new SigningKey();
        k.publicN = b64(unsigned(crt.getModulus()));
        k.publicE = b64(unsigned(crt.getPublicExponent()));
        k.kid = thumbprint(k.publicN, k.publicE);
        k.state = state;
        k.createdAt = now;
        KeyEncryption.Sealed sealed = encryption.seal(key.getEncoded(), k.associatedData());
        k.privateEnc = sealed.ciphertext();
        k.nonce = sealed.nonce();
        k.kekVersion = sealed.kekVersion();
        return k;
    }

    /** Re-encrypts the stored private keys under the newest key-encryption key. */
    public int reencrypt() {
        return QuarkusTransaction.requiringNew().call(() -> {
            lock();
            int n = 0;
            for (SigningKey k : repository.listAll()) {
                if (k.kekVersion < encryption.currentVersion()) {
                    byte[] plain = encryption.open(new KeyEncryption.Sealed(k.privateEnc, k.nonce, k.kekVersion), k.associatedData());
                    KeyEncryption.Sealed sealed = encryption.seal(plain, k.associatedData());
                    Arrays.fill(plain, (byte) 0);
                    k.privateEnc = sealed.ciphertext();
                    k.nonce = sealed.nonce();
                    k.kekVersion = sealed.kekVersion();
                    n++;
                }
            }
            return n;
        });
    }

    private static RSAPrivateKey decode(byte[] pkcs8) {
        try {
            return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("stored signing key cannot be decoded", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    private static RSAPrivateKey readPkcs8(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("The signing key file cannot be read: " + file, e);
        }
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalStateException("The signing key file must be a PKCS#8 PEM (BEGIN PRIVATE KEY): " + file);
        }
        String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        try {
            return (RSAPrivateKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The signing key file is not an RSA key: " + file, e);
        }
    }

    static String thumbprint(String n, String e) {
        try {
            return b64(MessageDigest.getInstance("SHA-256").digest(
                    ("{\"e\":\"" + e + "\",\"kty\":\"RSA\",\"n\":\"" + n + "\"}").getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Instant now() {
        return Stored.now();
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }
}
