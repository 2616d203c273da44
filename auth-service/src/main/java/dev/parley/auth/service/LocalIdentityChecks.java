package dev.parley.auth.service;

import java.util.Optional;
import java.util.UUID;

import dev.parley.platform.auth.AccessKeyVerifier;
import dev.parley.platform.auth.UserStatusChecker;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * In auth-service the platform's identity checks read the database directly (no cache, no HTTP to itself): a
 * disabled user or a revoked key is refused here at once, and elsewhere within the platform's cache time.
 */
public final class LocalIdentityChecks {
    private LocalIdentityChecks() { }

    @ApplicationScoped
    public static class Status implements UserStatusChecker {
        private final AccountService accounts;

        public Status(AccountService accounts) {
            this.accounts = accounts;
        }

        @Override
        public boolean enabled(UUID userId) {
            return QuarkusTransaction.joiningExisting().call(() -> accounts.enabled(userId));
        }
    }

    @ApplicationScoped
    public static class AccessKeys implements AccessKeyVerifier {
        private final AccessKeyService keys;

        public AccessKeys(AccessKeyService keys) {
            this.keys = keys;
        }

        @Override
        public Optional<VerifiedAccessKey> verify(String key) {
            return keys.verify(key);
        }
    }
}
