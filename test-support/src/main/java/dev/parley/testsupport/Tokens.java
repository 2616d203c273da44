package dev.parley.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/** Mints tokens with the test key, the way auth-service does, plus the forged kinds a verifier must refuse. */
public final class Tokens {
    private Tokens() { }

    public static String user(UUID userId, String username, String... roles) {
        return claims(userId.toString(), Set.of(roles.length == 0 ? new String[] {"user"} : roles))
                .upn(username).jws().keyId(TestKeys.get().kid()).sign(TestKeys.get().privateKey());
    }

    public static String service(String serviceName) {
        return claims(serviceName, Set.of("service")).jws().keyId(TestKeys.get().kid()).sign(TestKeys.get().privateKey());
    }

    public static String expiredUser(UUID userId) {
        Instant past = Instant.now().minus(Duration.ofHours(2));
        return Jwt.issuer("parley").subject(userId.toString()).upn("expired").groups(Set.of("user"))
                .issuedAt(past).expiresAt(past.plus(Duration.ofMinutes(15)))
                .jws().keyId(TestKeys.get().kid()).sign(TestKeys.get().privateKey());
    }

    public static String wrongIssuer(UUID userId) {
        return Jwt.issuer("not-parley").subject(userId.toString()).upn("x").groups(Set.of("user"))
                .expiresIn(Duration.ofMinutes(15))
                .jws().keyId(TestKeys.get().kid()).sign(TestKeys.get().privateKey());
    }

    /** A valid token with one byte of its payload changed (the signature no longer matches). */
    public static String tampered(String token) {
        String[] parts = token.split("\\.");
        byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
        String json = new String(payload, StandardCharsets.UTF_8).replace("\"user\"", "\"admin\"");
        if (json.equals(new String(payload, StandardCharsets.UTF_8))) {
            payload[payload.length / 2] ^= 0x01;
            json = new String(payload, StandardCharsets.UTF_8);
        }
        return parts[0] + "." + b64(json) + "." + parts[2];
    }

    /** An unsigned token ({@code alg:none}) with valid claims. */
    public static String algNone(UUID userId) {
        long now = Instant.now().getEpochSecond();
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String body = b64("{\"iss\":\"parley\",\"sub\":\"" + userId + "\",\"upn\":\"mallory\",\"groups\":[\"user\",\"admin\"],"
                + "\"iat\":" + now + ",\"exp\":" + (now + 900) + "}");
        return header + "." + body + ".";
    }

    /** A token signed with HMAC-SHA256 using the public key bytes as secret (the classic key-confusion attack). */
    public static String hs256(UUID userId) {
        long now = Instant.now().getEpochSecond();
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + TestKeys.get().kid() + "\"}");
        String body = b64("{\"iss\":\"parley\",\"sub\":\"" + userId + "\",\"upn\":\"mallory\",\"groups\":[\"user\"],"
                + "\"iat\":" + now + ",\"exp\":" + (now + 900) + "}");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(TestKeys.get().publicKey().getEncoded(), "HmacSHA256"));
            byte[] sig = mac.doFinal((header + "." + body).getBytes(StandardCharsets.US_ASCII));
            return header + "." + body + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JwtClaimsBuilder claims(String subject, Set<String> groups) {
        return Jwt.issuer("parley").subject(subject).groups(groups).claim("jti", UUID.randomUUID().toString())
                .issuedAt(Instant.now()).expiresIn(Duration.ofMinutes(15));
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
