package dev.parley.auth.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.parley.auth.config.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Authenticated encryption of secrets at rest (provider keys, signing keys): AES-256-GCM, a random 96-bit nonce per
 * encryption, 128-bit tag, caller-supplied associated data binding the ciphertext to its row. Key-encryption keys
 * (KEKs) are versioned; several may be configured at once, the highest version encrypts, any configured version
 * decrypts, so rotation is: add a version, restart, re-encrypt, later remove the old version.
 */
@ApplicationScoped
public class KeyEncryption {
    private static final Logger LOG = Logger.getLogger(KeyEncryption.class);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final TreeMap<Integer, SecretKey> keks;
    private final SecureRandom random = new SecureRandom();

    public record Sealed(byte[] ciphertext, byte[] nonce, int kekVersion) { }

    /** The ciphertext does not open: wrong associated data, wrong or missing key version, or tampering. */
    public static class UnreadableSecret extends RuntimeException {
        public UnreadableSecret(String message) {
            super(message);
        }
    }

    @jakarta.inject.Inject
    public KeyEncryption(AuthConfig config) {
        this(load(config));
    }

    /** With explicit key versions (tests and tools). */
    public KeyEncryption(Map<Integer, byte[]> versions) {
        keks = new TreeMap<>();
        versions.forEach((v, bytes) -> {
            if (bytes.length != 32) {
                throw new IllegalStateException("key-encryption key version " + v + " must be 32 bytes (AES-256)");
            }
            keks.put(v, new SecretKeySpec(bytes, "AES"));
        });
        if (keks.isEmpty()) {
            LOG.warn("no key-encryption key configured (parley.auth.provider-keys.master-key-location or "
                    + "parley.auth.provider-keys.master-keys.<version>): using an ephemeral one; stored provider keys "
                    + "and signing keys will not survive a restart (development only)");
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            keks.put(0, new SecretKeySpec(k, "AES"));
        }
    }

    public int currentVersion() {
        return keks.lastKey();
    }

    public Sealed seal(byte[] plaintext, String associatedData) {
        int version = currentVersion();
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keks.get(version), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new Sealed(c.doFinal(plaintext), nonce, version);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    public byte[] open(Sealed sealed, String associatedData) {
        SecretKey kek = keks.get(sealed.kekVersion());
        if (kek == null) {
            throw new UnreadableSecret("key-encryption key version " + sealed.kekVersion() + " is not configured");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, sealed.nonce()));
            c.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(sealed.ciphertext());
        } catch (AEADBadTagException e) {
            throw new UnreadableSecret("ciphertext does not authenticate");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private static Map<Integer, byte[]> load(AuthConfig config) {
        Map<Integer, byte[]> out = new TreeMap<>();
        Optional<String> file = config.providerKeys().masterKeyLocation();
        if (file.isPresent()) {
            try {
                for (String line : Files.readAllLines(Path.of(file.get()), StandardCharsets.US_ASCII)) {
                    String l = line.strip();
                    if (l.isEmpty() || l.startsWith("#")) {
                        continue;
                    }
                    String[] parts = l.split(":", 2);
                    if (parts.length != 2) {
                        throw new IllegalStateException("master key file lines must be <version>:<base64 of 32 bytes>");
                    }
                    out.put(Integer.parseInt(parts[0].strip()), Base64.getDecoder().decode(parts[1].strip()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("master key file cannot be read: " + file.get(), e);
            }
        }
        config.providerKeys().masterKeys().forEach((v, b64) -> out.put(Integer.parseInt(v), Base64.getDecoder().decode(b64.strip())));
        return out;
    }
}
