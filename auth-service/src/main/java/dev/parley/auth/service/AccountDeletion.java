package dev.parley.auth.service;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import dev.parley.auth.config.AccountConfig;
import dev.parley.auth.entity.User;
import dev.parley.auth.repository.AccessKeyRepository;
import dev.parley.auth.repository.AccountJobRepository;
import dev.parley.auth.repository.InviteRepository;
import dev.parley.auth.repository.KnownLoginRepository;
import dev.parley.auth.repository.LoginThrottleRepository;
import dev.parley.auth.repository.ProviderKeyRepository;
import dev.parley.auth.repository.RefreshTokenRepository;
import dev.parley.auth.repository.UserRepository;
import dev.parley.platform.error.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;

/**
 * An account's deletion, auth-service's side. Starting it is one transaction: every login, access key and provider key
 * of the user goes, with the user's exports, login history and throttle counters; the user row becomes a tombstone
 * (disabled, no usable password, so the status answers {@code enabled:false} and the other services lock the user out
 * within their status cache) and a {@code delete} job is recorded for every service in {@code parley.account.services}.
 * When the last of them reports it done, the job and the tombstone are deleted: nothing of the user remains, and the
 * username and email are free again.
 */
@ApplicationScoped
public class AccountDeletion {
    private static final Logger LOG = Logger.getLogger(AccountDeletion.class);
    /** Not a PHC string: no password ever verifies against it. */
    static final String NO_PASSWORD = "!deleted";

    private final UserRepository users;
    private final RefreshTokenRepository refreshTokens;
    private final AccessKeyRepository accessKeys;
    private final ProviderKeyRepository providerKeys;
    private final KnownLoginRepository knownLogins;
    private final LoginThrottleRepository throttle;
    private final AccountJobRepository jobs;
    private final InviteRepository invites;
    private final PasswordHasher hasher;
    private final AccountConfig config;

    public AccountDeletion(UserRepository users, RefreshTokenRepository refreshTokens, AccessKeyRepository accessKeys,
                           ProviderKeyRepository providerKeys, KnownLoginRepository knownLogins,
                           LoginThrottleRepository throttle, AccountJobRepository jobs, InviteRepository invites,
                           PasswordHasher hasher, AccountConfig config) {
        this.invites = invites;
        this.users = users;
        this.refreshTokens = refreshTokens;
        this.accessKeys = accessKeys;
        this.providerKeys = providerKeys;
        this.knownLogins = knownLogins;
        this.throttle = throttle;
        this.jobs = jobs;
        this.hasher = hasher;
        this.config = config;
    }

    /** The user deletes their own account, confirming with their password (wrong: 401, and the account stays). */
    public UUID deleteOwn(UUID userId, String password) {
        User user = QuarkusTransaction.requiringNew().call(() -> users.findById(userId));
        if (user == null || !user.enabled || user.deletedAt != null) {
            throw ApiException.unauthenticated("This account no longer exists");
        }
        if (!hasher.verify(password, user.passwordHash)) {
            throw new ApiException(401, "INVALID_CREDENTIALS", "Wrong password");
        }
        return QuarkusTransaction.requiringNew().call(() -> start(userId, userId));
    }

    /** An admin deletes an account (their own too, unless it is the last admin). Again for one being deleted: its id. */
    public UUID deleteByAdmin(UUID actorId, UUID userId) {
        return QuarkusTransaction.requiringNew().call(() -> start(actorId, userId));
    }

    private UUID start(UUID actorId, UUID userId) {
        User user = users.findByIdOptional(userId, LockModeType.PESSIMISTIC_WRITE)
                .orElseThrow(() -> ApiException.notFound("USER_NOT_FOUND", "No such user"));
        if (user.deletedAt != null) {
            return jobs.deletionOf(userId).map(AccountJobRepository.Job::id)
                    .orElseThrow(() -> ApiException.notFound("USER_NOT_FOUND", "No such user"));
        }
        if (user.enabled && user.roles.contains("admin")) {
            // every enabled admin locked, so that two admins deleting each other cannot both succeed
            List<User> admins = users.find("enabled = true and deletedAt is null and array_contains(roles, 'admin')")
                    .withLock(LockModeType.PESSIMISTIC_WRITE).list();
            if (admins.stream().noneMatch(a -> !a.id.equals(userId))) {
                throw new ApiException(409, "LAST_ADMIN", "This is the last enabled admin");
            }
        }
        Instant now = Stored.now();
        long tokens = refreshTokens.delete("userId", userId);
        long keys = accessKeys.delete("userId", userId);
        long providers = providerKeys.delete("userId", userId);
        knownLogins.deleteOfUser(userId);
        throttle.deleteOfUsername(user.username.toLowerCase(Locale.ROOT));
        jobs.deleteExportsOf(userId);
        invites.forgetMaker(userId);
        user.enabled = false;
        user.deletedAt = now;
        user.passwordHash = NO_PASSWORD;
        user.roles = new java.util.ArrayList<>(List.of("user"));
        user.updatedAt = now;
        UUID id = UUID.randomUUID();
        users.flush();
        jobs.insert(id, AccountJobRepository.DELETE, userId, now, config.services());
        LOG.infof("deletion %s of user %s started by %s: %d refresh tokens, %d access keys, %d provider keys deleted; "
                + "waiting for %s", id, userId, actorId, tokens, keys, providers, config.services());
        if (config.services().isEmpty()) {
            finish(id, userId);
        }
        return id;
    }

    /** Every service is done: the job and the tombstone go (inside the caller's transaction, the job locked). */
    void finish(UUID jobId, UUID userId) {
        jobs.delete(jobId);
        User user = users.findById(userId);
        if (user != null) {
            // failed logins under the name while it was being deleted
            throttle.deleteOfUsername(user.username.toLowerCase(Locale.ROOT));
        }
        users.delete("id", userId);
        LOG.infof("deletion %s complete: nothing of user %s remains", jobId, userId);
    }
}
