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
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.parley.auth.config.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The RS256 signing key and the JWKS that publishes its public half. The key id is the RFC 7638 thumbprint, so it
 * is stable for a given key. (Rotation with next/previous keys comes with the auth-service issue.)
 */
@ApplicationScoped
public class SigningKeys {
    private static final Logger LOG = Logger.getLogger(SigningKeys.class);

    private final RSAPrivateKey privateKey;
    private final RSAPublicKey publicKey;
    private final String kid;
    private final Map<String, Object> jwk;

    public SigningKeys(AuthConfig config) {
        try {
            if (config.jwt().signingKeyLocation().isPresent()) {
                privateKey = readPkcs8(Path.of(config.jwt().signingKeyLocation().get()));
            } else {
                LOG.warn("parley.auth.jwt.signing-key-location is not set: using an ephemeral signing key; "
                        + "tokens will not survive a restart (development only)");
                KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
                gen.initialize(2048);
                privateKey = (RSAPrivateKey) gen.generateKeyPair().getPrivate();
            }
            if (!(privateKey instanceof RSAPrivateCrtKey crt)) {
                throw new IllegalStateException("The signing key must be an RSA private key with CRT parameters");
            }
            if (crt.getModulus().bitLength() < 2048) {
                throw new IllegalStateException("The signing key must have at least 2048 bits");
            }
            publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
            String n = b64(unsigned(publicKey.getModulus()));
            String e = b64(unsigned(publicKey.getPublicExponent()));
            kid = b64(MessageDigest.getInstance("SHA-256").digest(
                    ("{\"e\":\"" + e + "\",\"kty\":\"RSA\",\"n\":\"" + n + "\"}").getBytes(StandardCharsets.UTF_8)));
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("kty", "RSA");
            k.put("use", "sig");
            k.put("alg", "RS256");
            k.put("kid", kid);
            k.put("n", n);
            k.put("e", e);
            jwk = Map.copyOf(k);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The signing key cannot be loaded", e);
        }
    }

    public RSAPrivateKey privateKey() { return privateKey; }
    public String kid() { return kid; }

    public Map<String, Object> jwks() {
        return Map.of("keys", List.of(jwk));
    }

    private static RSAPrivateKey readPkcs8(Path file) throws GeneralSecurityException {
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
        return (RSAPrivateKey) KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }
}
