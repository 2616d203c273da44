package dev.parley.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;

import dev.parley.auth.config.AuthConfig;
import dev.parley.auth.entity.User;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;

/** Signs access and service tokens (RS256) and mints opaque refresh tokens. */
@ApplicationScoped
public class TokenIssuer {
    private final AuthConfig config;
    private final SigningKeys keys;
    private final SecureRandom random = new SecureRandom();

    public TokenIssuer(AuthConfig config, SigningKeys keys) {
        this.config = config;
        this.keys = keys;
    }

    public record Signed(String token, long expiresIn) { }

    /** An access token for a login session: {@code sid} is the refresh-token family of that login. */
    public Signed accessToken(User user, UUID sessionFamily) {
        Instant now = Instant.now();
        SigningKeys.Signer signer = keys.signer();
        long ttl = config.jwt().accessTokenTtl().toSeconds();
        Set<String> groups = new HashSet<>(user.roles);
        groups.remove("service"); // a person is never a service
        String token = Jwt.issuer(config.jwt().issuer())
                .subject(user.id.toString())
                .upn(user.username)
                .groups(groups)
                .claim("jti", UUID.randomUUID().toString())
                .claim("sid", sessionFamily.toString())
                .issuedAt(now)
                .expiresAt(now.plusSeconds(ttl))
                .jws().algorithm(SignatureAlgorithm.RS256).keyId(signer.kid())
                .sign(signer.key());
        return new Signed(token, ttl);
    }

    public Signed serviceToken(String serviceName) {
        Instant now = Instant.now();
        SigningKeys.Signer signer = keys.signer();
        long ttl = config.jwt().serviceTokenTtl().toSeconds();
        String token = Jwt.issuer(config.jwt().issuer())
                .subject(serviceName)
                .groups(Set.of("service"))
                .claim("jti", UUID.randomUUID().toString())
                .issuedAt(now)
                .expiresAt(now.plusSeconds(ttl))
                .jws().algorithm(SignatureAlgorithm.RS256).keyId(signer.kid())
                .sign(signer.key());
        return new Signed(token, ttl);
    }

    /** A new opaque refresh token: 256 random bits. Only its hash is stored. */
    public String newRefreshToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return "prt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
