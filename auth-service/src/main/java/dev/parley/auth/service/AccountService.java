package dev.parley.auth.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.parley.auth.config.AdminConfig;
import dev.parley.auth.config.AuthConfig;
import dev.parley.auth.entity.RefreshToken;
import dev.parley.auth.entity.User;
import dev.parley.auth.repository.RefreshTokenRepository;
import dev.parley.auth.repository.UserRepository;
import dev.parley.platform.error.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/** Accounts: registration, login (throttled), refresh rotation, logout, password change, administration. */
@ApplicationScoped
public class AccountService {
    private static final Logger LOG = Logger.getLogger(AccountService.class);
    static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,63}");
    static final Set<String> ROLES = Set.of("user", "admin");

    private final UserRepository users;
    private final RefreshTokenRepository refreshTokens;
    private final PasswordHasher hasher;
    private final TokenIssuer issuer;
    private final AuthConfig config;
    private final AdminConfig admin;
    private final LoginThrottle throttle;
    private final Registration registration;

    public AccountService(UserRepository users, RefreshTokenRepository refreshTokens, PasswordHasher hasher,
                          TokenIssuer issuer, AuthConfig config, AdminConfig admin, LoginThrottle throttle,
                          Registration registration) {
        this.users = users;
        this.refreshTokens = refreshTokens;
        this.hasher = hasher;
        this.issuer = issuer;
        this.config = config;
        this.admin = admin;
        this.throttle = throttle;
        this.registration = registration;
    }

    /** A user with a fresh token pair. */
    public record Session(User user, String accessToken, long expiresIn, String refreshToken, UUID refreshTokenId) { }

    public record Page(List<User> users, String nextCursor) { }

    /** The first admin from configuration: created if missing, promoted if not an admin yet. */
    void bootstrapAdmin(@Observes StartupEvent event) {
        if (admin.username().isEmpty()) {
            return;
        }
        String name = admin.username().get().strip();
        QuarkusTransaction.requiringNew().run(() -> {
            Optional<User> existing = users.findByUsername(name);
            if (existing.isPresent()) {
                User u = existing.get();
                if (!u.roles.contains("admin")) {
                    u.roles = new ArrayList<>(new LinkedHashSet<>(concat(u.roles, "admin")));
                    u.updatedAt = now();
                    LOG.infof("configured admin promoted: %s", u.id);
                }
                return;
            }
            String password = admin.password().orElseThrow(() -> new IllegalStateException(
                    "PARLEY_ADMIN_USERNAME is set but PARLEY_ADMIN_PASSWORD is not: cannot create the first admin"));
            validateUsername(name);
            PasswordPolicy.check(name, password);
            User u = newUser(name, null, password);
            u.roles = new ArrayList<>(List.of("user", "admin"));
            users.persist(u);
            LOG.infof("first admin created from configuration: %s", u.id);
        });
    }

    /**
     * Registration as {@code parley.auth.registration} allows: closed refuses, invite takes one use of the code (given
     * back if the rest fails). The invite is checked before the name, so an uninvited caller learns nothing of who exists.
     */
    @Transactional
    public Session register(String username, String password, String email, String inviteCode) {
        registration.admit(inviteCode);
        User user = insertUser(username, password, email, List.of("user"));
        LOG.infof("user registered: %s", user.id);
        return newSession(user, UUID.randomUUID());
    }

    /** An account made by an admin (whatever the registration mode); roles ⊆ {user, admin}, user always. */
    @Transactional
    public User createUser(UUID adminId, String username, String password, String email, List<String> roles) {
        Set<String> wanted = new LinkedHashSet<>(List.of("user"));
        if (roles != null) {
            if (!ROLES.containsAll(roles)) {
                throw Stored.invalid("roles", "allowed: user, admin");
            }
            wanted.addAll(roles);
        }
        User user = insertUser(username, password, email, List.copyOf(wanted));
        LOG.infof("user %s created by admin %s", user.id, adminId);
        return user;
    }

    private User insertUser(String username, String password, String email, List<String> roles) {
        validateUsername(username);
        PasswordPolicy.check(username, password);
        if (users.usernameTaken(username)) {
            throw usernameTaken();
        }
        User user = newUser(username, email, password);
        if (user.email != null && users.emailTaken(user.email)) {
            throw emailTaken();
        }
        user.roles = new ArrayList<>(roles);
        try {
            users.persistAndFlush(user);
        } catch (PersistenceException e) {
            // Two registrations of one name or email at once: the unique indexes decide.
            throw String.valueOf(constraintOf(e)).contains("email") ? emailTaken() : usernameTaken();
        }
        return user;
    }

    private static String constraintOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.hibernate.exception.ConstraintViolationException c) {
                return c.getConstraintName();
            }
        }
        return null;
    }

    /**
     * Throttled login by username or email (case-insensitive); failures are recorded in their own transaction so they
     * survive the 401. An existing account is throttled under its username whichever of the two was given.
     */
    public Session login(String login, String password, String clientAddress) {
        Optional<User> found = QuarkusTransaction.requiringNew().call(() -> users.findByLogin(login));
        String username = found.map(u -> u.username).orElse(login);
        throttle.check(username, clientAddress, found.map(u -> u.id).orElse(null));
        if (found.isEmpty()) {
            hasher.verifyDummy(password);
            throttle.failed(username, clientAddress);
            throw invalidCredentials();
        }
        User user = found.get();
        if (!hasher.verify(password, user.passwordHash) || !user.enabled) {
            throttle.failed(username, clientAddress);
            throw invalidCredentials();
        }
        throttle.succeeded(username, clientAddress, user.id);
        LOG.infof("user logged in: %s", user.id);
        return QuarkusTransaction.requiringNew().call(() -> newSession(user, UUID.randomUUID()));
    }

    /**
     * Rotation: the presented token is spent and a new one of the same family issued. A spent token presented again
     * means it was copied: the whole family (every token descended from that login) is revoked.
     */
    public Session refresh(String presented) {
        Instant now = now();
        // Reuse detection must commit even though the caller then gets a 401: decide first, then throw.
        Object outcome = QuarkusTransaction.requiringNew().call(() -> {
            Optional<RefreshToken> row = refreshTokens.lockByHash(TokenIssuer.sha256Hex(presented));
            if (row.isEmpty()) {
                return invalidRefresh();
            }
            RefreshToken t = row.get();
            if (t.revokedAt != null) {
                return invalidRefresh();
            }
            if (t.usedAt != null) {
                int n = refreshTokens.revokeFamily(t.familyId, now);
                LOG.warnf("refresh token reuse: family %s of user %s revoked (%d tokens)", t.familyId, t.userId, n);
                return new ApiException(401, "REFRESH_TOKEN_REUSED",
                        "This refresh token was already used: every session descended from that login is revoked");
            }
            if (!t.expiresAt.isAfter(now)) {
                return invalidRefresh();
            }
            User user = users.findById(t.userId);
            if (user == null || !user.enabled) {
                refreshTokens.revokeFamily(t.familyId, now);
                return invalidRefresh();
            }
            Session s = newSession(user, t.familyId);
            t.usedAt = now;
            t.replacedBy = s.refreshTokenId();
            return s;
        });
        if (outcome instanceof ApiException e) {
            throw e;
        }
        return (Session) outcome;
    }

    /** Ends the login the token belongs to (its whole family). Unknown tokens are ignored: logout is idempotent. */
    @Transactional
    public void logout(String presented) {
        refreshTokens.find("tokenHash", TokenIssuer.sha256Hex(presented)).<RefreshToken>firstResultOptional()
                .ifPresent(t -> refreshTokens.revokeFamily(t.familyId, now()));
    }

    /** Changes the password and ends every other login of this user (the current one, {@code sid}, stays). */
    public void changePassword(UUID userId, String current, String next, String currentSession) {
        User user = QuarkusTransaction.requiringNew().call(() -> users.findById(userId));
        if (user == null || !user.enabled) {
            throw ApiException.unauthenticated("This account no longer exists");
        }
        if (!hasher.verify(current, user.passwordHash)) {
            throw new ApiException(403, "INVALID_CURRENT_PASSWORD", "The current password is wrong");
        }
        PasswordPolicy.check(user.username, next);
        String hash = hasher.hash(next);
        QuarkusTransaction.requiringNew().run(() -> {
            User u = users.findById(userId);
            u.passwordHash = hash;
            u.updatedAt = now();
            UUID keep = parseUuid(currentSession);
            int n = keep == null ? refreshTokens.revokeAllOfUser(userId, now())
                    : refreshTokens.revokeAllOfUserExcept(userId, keep, now());
            LOG.infof("password changed for %s; %d refresh tokens of other sessions revoked", userId, n);
        });
    }

    /** A user, unless their account is being deleted (then only a tombstone remains). */
    public Optional<User> find(UUID id) {
        return users.findByIdOptional(id).filter(u -> u.deletedAt == null);
    }

    public boolean enabled(UUID id) {
        return users.findByIdOptional(id).map(u -> u.enabled).orElse(false);
    }

    public Page list(int limit, String cursor) {
        int size = Math.max(1, Math.min(limit, 200));
        List<User> rows;
        if (cursor == null || cursor.isBlank()) {
            rows = users.find("deletedAt is null order by createdAt, id").page(0, size + 1).list();
        } else {
            String[] c = decodeCursor(cursor);
            rows = users.find("deletedAt is null and (createdAt > ?1 or (createdAt = ?1 and id > ?2)) order by createdAt, id",
                    Instant.parse(c[0]), UUID.fromString(c[1])).page(0, size + 1).list();
        }
        String next = null;
        if (rows.size() > size) {
            rows = rows.subList(0, size);
            User last = rows.get(size - 1);
            next = encodeCursor(last.createdAt + "|" + last.id);
        }
        return new Page(rows, next);
    }

    /** Admin change of a user's enabled flag and roles. Nobody changes their own roles or disables themselves. */
    @Transactional
    public User update(UUID actorId, UUID userId, Boolean enabled, List<String> roles) {
        User user = find(userId).orElseThrow(() -> ApiException.notFound("USER_NOT_FOUND", "No such user"));
        if (roles != null) {
            if (userId.equals(actorId)) {
                throw new ApiException(403, "CANNOT_CHANGE_OWN_ROLES", "You cannot change your own roles");
            }
            Set<String> wanted = new LinkedHashSet<>(roles);
            if (wanted.isEmpty() || !ROLES.containsAll(wanted)) {
                throw new ApiException(400, "VALIDATION_FAILED", "Invalid request: roles must be among user, admin",
                        Map.of("fields", Map.of("roles", "allowed: user, admin")));
            }
            wanted.add("user");
            if (user.roles.contains("admin") && !wanted.contains("admin")) {
                requireAnotherAdmin(userId);
            }
            user.roles = new ArrayList<>(wanted);
        }
        if (enabled != null && enabled != user.enabled) {
            if (userId.equals(actorId) && !enabled) {
                throw new ApiException(403, "CANNOT_DISABLE_YOURSELF", "You cannot disable your own account");
            }
            if (!enabled && user.roles.contains("admin")) {
                requireAnotherAdmin(userId);
            }
            user.enabled = enabled;
            if (!enabled) {
                int n = refreshTokens.revokeAllOfUser(userId, now());
                LOG.infof("user %s disabled by %s; %d refresh tokens revoked", userId, actorId, n);
            }
        }
        user.updatedAt = now();
        return user;
    }

    private void requireAnotherAdmin(UUID userId) {
        long others = users.count("enabled = true and id <> ?1 and array_contains(roles, 'admin')", userId);
        if (others == 0) {
            throw new ApiException(409, "LAST_ADMIN", "This is the last enabled admin");
        }
    }

    private Session newSession(User user, UUID family) {
        TokenIssuer.Signed access = issuer.accessToken(user, family);
        String refresh = issuer.newRefreshToken();
        RefreshToken row = new RefreshToken();
        row.id = UUID.randomUUID();
        row.userId = user.id;
        row.familyId = family;
        row.tokenHash = TokenIssuer.sha256Hex(refresh);
        row.createdAt = now();
        row.expiresAt = row.createdAt.plus(config.jwt().refreshTokenTtl());
        refreshTokens.persist(row);
        return new Session(user, access.token(), access.expiresIn(), refresh, row.id);
    }

    private User newUser(String username, String email, String password) {
        User user = new User();
        user.id = UUID.randomUUID();
        user.username = username;
        user.email = email == null || email.isBlank() ? null : email.trim();
        user.passwordHash = hasher.hash(password);
        user.roles = new ArrayList<>(List.of("user"));
        user.enabled = true;
        user.createdAt = now();
        user.updatedAt = user.createdAt;
        return user;
    }

    private static void validateUsername(String username) {
        if (!USERNAME.matcher(username).matches()) {
            throw new ApiException(400, "VALIDATION_FAILED",
                    "Invalid request: username must be 3-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                    Map.of("fields", Map.of("username", "3-64 characters: letters, digits, '.', '_', '-'")));
        }
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    private static UUID parseUuid(String s) {
        try {
            return s == null ? null : UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String encodeCursor(String raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decodeCursor(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
            Instant.parse(parts[0]);
            UUID.fromString(parts[1]);
            return parts;
        } catch (RuntimeException e) {
            throw new ApiException(400, "INVALID_CURSOR", "The cursor is not valid");
        }
    }

    private static Instant now() {
        return Stored.now();
    }

    private static ApiException usernameTaken() {
        return new ApiException(409, "USERNAME_TAKEN", "This username is already taken");
    }

    private static ApiException emailTaken() {
        return new ApiException(409, "EMAIL_TAKEN", "This email address belongs to another account");
    }

    private static ApiException invalidCredentials() {
        return new ApiException(401, "INVALID_CREDENTIALS", "Wrong username or password");
    }

    private static ApiException invalidRefresh() {
        return new ApiException(401, "INVALID_REFRESH_TOKEN", "The refresh token is invalid, expired or revoked");
    }
}
