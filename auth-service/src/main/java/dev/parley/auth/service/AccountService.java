package dev.parley.auth.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.parley.auth.config.AuthConfig;
import dev.parley.auth.entity.RefreshToken;
import dev.parley.auth.entity.User;
import dev.parley.auth.repository.RefreshTokenRepository;
import dev.parley.auth.repository.UserRepository;
import dev.parley.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/** Registration, login and the account itself. */
@ApplicationScoped
public class AccountService {
    private static final Logger LOG = Logger.getLogger(AccountService.class);
    static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,63}");

    private final UserRepository users;
    private final RefreshTokenRepository refreshTokens;
    private final PasswordHasher hasher;
    private final TokenIssuer issuer;
    private final AuthConfig config;

    public AccountService(UserRepository users, RefreshTokenRepository refreshTokens, PasswordHasher hasher,
                          TokenIssuer issuer, AuthConfig config) {
        this.users = users;
        this.refreshTokens = refreshTokens;
        this.hasher = hasher;
        this.issuer = issuer;
        this.config = config;
    }

    /** A user with a fresh token pair. */
    public record Session(User user, String accessToken, long expiresIn, String refreshToken) { }

    @Transactional
    public Session register(String username, String password, String email) {
        if (!USERNAME.matcher(username).matches()) {
            throw new ApiException(400, "VALIDATION_FAILED",
                    "Invalid request: username must be 3-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                    Map.of("fields", Map.of("username", "3-64 characters: letters, digits, '.', '_', '-'")));
        }
        PasswordPolicy.check(username, password);
        if (users.usernameTaken(username)) {
            throw usernameTaken();
        }
        User user = new User();
        user.id = UUID.randomUUID();
        user.username = username;
        user.email = email == null || email.isBlank() ? null : email.trim();
        user.passwordHash = hasher.hash(password);
        user.roles = new ArrayList<>(List.of("user"));
        user.enabled = true;
        user.createdAt = now();
        user.updatedAt = user.createdAt;
        try {
            users.persistAndFlush(user);
        } catch (PersistenceException e) {
            // Two registrations of one name at once: the unique index decides.
            throw usernameTaken();
        }
        LOG.infof("user registered: %s", user.id);
        return newSession(user);
    }

    @Transactional
    public Session login(String username, String password) {
        Optional<User> found = users.findByUsername(username);
        if (found.isEmpty()) {
            hasher.verifyDummy(password);
            throw invalidCredentials();
        }
        User user = found.get();
        if (!hasher.verify(password, user.passwordHash) || !user.enabled) {
            throw invalidCredentials();
        }
        LOG.infof("user logged in: %s", user.id);
        return newSession(user);
    }

    public Optional<User> find(UUID id) {
        return users.findByIdOptional(id);
    }

    private Session newSession(User user) {
        TokenIssuer.Signed access = issuer.accessToken(user);
        String refresh = issuer.newRefreshToken();
        RefreshToken row = new RefreshToken();
        row.id = UUID.randomUUID();
        row.userId = user.id;
        row.familyId = UUID.randomUUID();
        row.tokenHash = TokenIssuer.sha256Hex(refresh);
        row.createdAt = now();
        row.expiresAt = row.createdAt.plus(config.jwt().refreshTokenTtl());
        refreshTokens.persist(row);
        return new Session(user, access.token(), access.expiresIn(), refresh);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static ApiException usernameTaken() {
        return new ApiException(409, "USERNAME_TAKEN", "This username is already taken");
    }

    private static ApiException invalidCredentials() {
        return new ApiException(401, "INVALID_CREDENTIALS", "Wrong username or password");
    }
}
