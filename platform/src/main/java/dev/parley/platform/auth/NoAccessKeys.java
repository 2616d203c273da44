package dev.parley.platform.auth;

import java.util.Optional;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;

/** Default until access keys exist (auth-service issue): every {@code pk-…} key is refused. */
@DefaultBean
@ApplicationScoped
public class NoAccessKeys implements AccessKeyVerifier {
    @Override
    public Optional<VerifiedAccessKey> verify(String key) {
        return Optional.empty();
    }
}
