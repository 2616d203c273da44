package dev.parley.auth.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.parley.auth.entity.User;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** Request and response bodies of auth-service's public API (snake_case on the wire). */
public final class AuthDtos {
    private AuthDtos() { }

    public record RegisterRequest(
            @NotBlank @Size(min = 3, max = 64) String username,
            @NotNull @Size(max = 1024) String password,
            @Email @Size(max = 254) String email) {
        @Override
        public String toString() {
            return "RegisterRequest[username=" + username + ", password=<redacted>]";
        }
    }

    public record LoginRequest(@NotBlank @Size(max = 64) String username, @NotNull @Size(max = 1024) String password) {
        @Override
        public String toString() {
            return "LoginRequest[username=" + username + ", password=<redacted>]";
        }
    }

    public record UserSummary(UUID id, String username, List<String> roles) {
        static UserSummary of(User u) {
            return new UserSummary(u.id, u.username, List.copyOf(u.roles));
        }
    }

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
}
