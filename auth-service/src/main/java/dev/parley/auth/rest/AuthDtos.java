package dev.parley.auth.rest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.parley.auth.entity.AccessKey;
import dev.parley.auth.entity.ProviderKey;
import dev.parley.auth.entity.User;
import dev.parley.platform.json.JsonBody;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Request and response bodies of auth-service's API (snake_case on the wire). Secrets are redacted in toString. Request
 * bodies are {@link JsonBody} records (the platform's strict JSON for request bodies).
 */
public final class AuthDtos {
    private AuthDtos() { }

    @JsonBody
    public record RegisterRequest(
            @NotBlank @Size(min = 3, max = 64) String username,
            @NotNull @Size(max = 1024) String password,
            @Schema(description = "unique per account, case-insensitive; 409 EMAIL_TAKEN otherwise")
            @Email @Size(max = 254) String email,
            @Schema(description = "needed when registration is by invitation (GET /api/v1/auth/registration)")
            @Size(max = 200) String inviteCode) {
        @Override
        public String toString() {
            return "RegisterRequest[username=" + username + ", password=<redacted>, invite_code=<redacted>]";
        }
    }

    /** How registration works here ({@code open}, {@code invite} or {@code closed}), for a client to know what to show. */
    public record RegistrationInfo(@Schema(enumeration = {"open", "invite", "closed"}) String mode) { }

    /** An account an admin makes ({@code POST /api/v1/users}), whatever the registration mode. */
    @JsonBody
    public record NewUserRequest(
            @NotBlank @Size(min = 3, max = 64) String username,
            @NotNull @Size(max = 1024) String password,
            @Email @Size(max = 254) String email,
            @Schema(description = "among user, admin; user is always included") @Size(max = 2) List<String> roles) {
        @Override
        public String toString() {
            return "NewUserRequest[username=" + username + ", password=<redacted>]";
        }
    }

    @JsonBody
    public record LoginRequest(@Schema(description = "the username or the account's email (case-insensitive)")
                               @NotBlank @Size(max = 254) String username,
                               @NotNull @Size(max = 1024) String password) {
        @Override
        public String toString() {
            return "LoginRequest[username=" + username + ", password=<redacted>]";
        }
    }

    @JsonBody
    public record RefreshRequest(@NotBlank @Size(max = 200) String refreshToken) {
        @Override
        public String toString() {
            return "RefreshRequest[<redacted>]";
        }
    }

    @JsonBody
    public record PasswordChange(@NotNull @Size(max = 1024) String currentPassword,
                                 @NotNull @Size(max = 1024) String newPassword) {
        @Override
        public String toString() {
            return "PasswordChange[<redacted>]";
        }
    }

    @RegisterForReflection
    public record UserSummary(UUID id, String username, List<String> roles) {
        static UserSummary of(User u) {
            return new UserSummary(u.id, u.username, List.copyOf(u.roles));
        }
    }

    @RegisterForReflection
    public record TokenResponse(UserSummary user, String accessToken, String refreshToken, String tokenType,
                                long expiresIn) {
        @Override
        public String toString() {
            return "TokenResponse[user=" + user + ", tokens=<redacted>]";
        }
    }

    public record Me(UUID id, String username, String email, List<String> roles, Instant createdAt) {
        static Me of(User u) {
            return new Me(u.id, u.username, u.email, List.copyOf(u.roles), u.createdAt);
        }
    }

    @RegisterForReflection
    public record AdminUser(UUID id, String username, String email, List<String> roles, boolean enabled,
                            Instant createdAt, Instant updatedAt) {
        static AdminUser of(User u) {
            return new AdminUser(u.id, u.username, u.email, List.copyOf(u.roles), u.enabled, u.createdAt, u.updatedAt);
        }
    }

    @JsonBody
    public record UserPatch(Boolean enabled, List<String> roles) { }

    @RegisterForReflection
    public record Page<T>(List<T> data, String nextCursor) { }

    @JsonBody
    public record ServiceTokenRequest(@NotBlank @Size(max = 128) String clientId,
                                      @NotBlank @Size(max = 1024) String clientSecret) {
        @Override
        public String toString() {
            return "ServiceTokenRequest[clientId=" + clientId + ", clientSecret=<redacted>]";
        }
    }

    public record ServiceTokenResponse(String accessToken, String tokenType, long expiresIn) {
        @Override
        public String toString() {
            return "ServiceTokenResponse[<redacted>]";
        }
    }

    public record UserStatus(boolean enabled) { }

    @JsonBody
    public record AccessKeyRequest(@NotBlank @Size(max = 100) String name, Instant expiresAt,
                                   @Size(max = 100) List<String> allowedModels) { }

    /** The one answer that carries the key: creation. */
    @RegisterForReflection
    public record AccessKeyCreated(UUID id, String name, String key, String prefix, List<String> allowedModels,
                                   Instant expiresAt, Instant createdAt) {
        static AccessKeyCreated of(AccessKey k, String plaintext) {
            return new AccessKeyCreated(k.id, k.name, plaintext, "pk-" + k.prefix, List.copyOf(k.allowedModels),
                    k.expiresAt, k.createdAt);
        }

        @Override
        public String toString() {
            return "AccessKeyCreated[" + id + ", <redacted>]";
        }
    }

    @RegisterForReflection
    public record AccessKeyView(UUID id, String name, String prefix, List<String> allowedModels, Instant expiresAt,
                                Instant createdAt, Instant lastUsedAt, boolean expired) {
        static AccessKeyView of(AccessKey k, Instant now) {
            return new AccessKeyView(k.id, k.name, "pk-" + k.prefix, List.copyOf(k.allowedModels), k.expiresAt,
                    k.createdAt, k.lastUsedAt, k.expiresAt != null && !k.expiresAt.isAfter(now));
        }
    }

    @JsonBody
    public record VerifyRequest(@NotBlank @Size(max = 200) String key) {
        @Override
        public String toString() {
            return "VerifyRequest[<redacted>]";
        }
    }

    @JsonBody
    public record ProviderKeyRequest(String provider, @Size(max = 4096) String apiKey, @Size(max = 64) String name,
                                     @Size(max = 200) String label, @Size(max = 2048) String baseUrl) {
        @Override
        public String toString() {
            return "ProviderKeyRequest[" + provider + "/" + name + ", <redacted>]";
        }
    }

    /**
     * A provider key's changes ({@code PUT}): each field absent stays as it is; {@code base_url: null} clears the URL.
     * {@code provider} and {@code name} cannot change: they are read only to refuse them by name. Unknown fields are
     * refused.
     */
    @JsonBody(rejectUnknown = true)
    public record ProviderKeyUpdate(
            @Size(max = 4096, message = "1-4096 characters without surrounding whitespace") String apiKey,
            @Size(max = 200, message = "at most 200 characters") String label,
            @Schema(description = "null clears it; absent keeps it")
            Optional<@Size(max = 2048, message = "an http(s) URL without credentials, query or fragment") String> baseUrl,
            @Schema(hidden = true) String provider,
            @Schema(hidden = true) String name) {
        @Override
        public String toString() {
            return "ProviderKeyUpdate[label=" + label + ", baseUrl=" + baseUrl + ", <redacted>]";
        }
    }

    @RegisterForReflection
    public record ProviderKeyView(UUID id, String provider, String name, String label, String baseUrl, String keyHint,
                                  Instant createdAt, Instant updatedAt) {
        static ProviderKeyView of(ProviderKey k) {
            return new ProviderKeyView(k.id, k.provider, k.name, k.label, k.baseUrl, k.keyHint, k.createdAt, k.updatedAt);
        }
    }

    @JsonBody
    public record ResolveRequest(@NotNull UUID userId, @NotBlank @Size(max = 64) String providerKeyName) { }

    /** One of a user's provider keys as a service sees it in a list: what it is and where, never the key. */
    public record ListedKey(UUID id, String provider, String name, String baseUrl) { }

    public record ListedKeys(java.util.List<ListedKey> data) { }

    public record ResolvedKey(UUID id, String provider, String name, String baseUrl, String apiKey) {
        @Override
        public String toString() {
            return "ResolvedKey[" + provider + "/" + name + ", <redacted>]";
        }
    }
}
