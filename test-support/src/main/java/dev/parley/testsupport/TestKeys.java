package dev.parley.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * One RSA signing key per test JVM, written as a PKCS#8 PEM (what auth-service reads) and as a JWKS file (what
 * every other service verifies against in tests).
 */
public final class TestKeys {
    private static TestKeys instance;

    private final KeyPair pair;
    private final String kid;
    private final Path pem;
    private final Path jwks;

    private TestKeys() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            pair = gen.generateKeyPair();
            RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
            String n = b64(unsigned(pub.getModulus()));
            String e = b64(unsigned(pub.getPublicExponent()));
            kid = b64(MessageDigest.getInstance("SHA-256").digest(
                    ("{\"e\":\"" + e + "\",\"kty\":\"RSA\",\"n\":\"" + n + "\"}").getBytes(StandardCharsets.UTF_8)));
            Path dir = Files.createTempDirectory("parley-test-keys");
            dir.toFile().deleteOnExit();
            pem = dir.resolve("signing-key.pem");
            Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            jwks = dir.resolve("jwks.json");
            Files.writeString(jwks, "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid
                    + "\",\"n\":\"" + n + "\",\"e\":\"" + e + "\"}]}");
            pem.toFile().deleteOnExit();
            jwks.toFile().deleteOnExit();
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public static synchronized TestKeys get() {
        if (instance == null) {
            instance = new TestKeys();
        }
        return instance;
    }

    public RSAPrivateKey privateKey() { return (RSAPrivateKey) pair.getPrivate(); }
    public RSAPublicKey publicKey() { return (RSAPublicKey) pair.getPublic(); }
    public String kid() { return kid; }
    public Path pemFile() { return pem; }
    public Path jwksFile() { return jwks; }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }
}
