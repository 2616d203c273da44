package dev.parley.auth.service;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import dev.parley.auth.config.AuthConfig;
import dev.parley.auth.entity.Invite;
import dev.parley.auth.repository.InviteRepository;
import dev.parley.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/**
 * Invite codes for {@code parley.auth.registration=invite}: {@code inv_} + 22 base64url characters (128 random bits),
 * shown once at creation and stored as a SHA-256 hash. Each is good for {@code max_uses} registrations (default 1)
 * until it expires or an admin deletes it; a code that is unknown, expired, deleted or used up gets one answer.
 */
@ApplicationScoped
public class InviteService {
    private static final Logger LOG = Logger.getLogger(InviteService.class);
    public static final int MAX_USES = 10_000;
    static final int MAX_CODE_LENGTH = 200;

    private final InviteRepository invites;
    private final AuthConfig config;
    private final SecureRandom random = new SecureRandom();

    public InviteService(InviteRepository invites, AuthConfig config) {
        this.invites = invites;
        this.config = config;
    }

    public record Created(Invite invite, String code) {
        @Override
        public String toString() {
            return "Created[" + invite.id + ", <redacted>]";
        }
    }

    public record Page(List<Invite> invites, String nextCursor) { }

    @Transactional
    public Created create(UUID adminId, String note, Integer maxUses, Instant expiresAt) {
        Instant now = Stored.now();
        int uses = maxUses == null ? 1 : maxUses;
        if (uses < 1 || uses > MAX_USES) {
            throw Stored.invalid("max_uses", "1-" + MAX_USES);
        }
        Instant expires = expiresAt == null ? now.plus(config.invites().defaultTtl()) : expiresAt;
        if (!expires.isAfter(now)) {
            throw Stored.invalid("expires_at", "must be in the future");
        }
        if (expires.isAfter(now.plus(config.invites().maxTtl()))) {
            throw Stored.invalid("expires_at", "at most " + config.invites().maxTtl().toDays() + " days from now");
        }
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        String code = "inv_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Invite invite = new Invite();
        invite.id = UUID.randomUUID();
        invite.codeHash = TokenIssuer.sha256Hex(code);
        invite.note = note == null || note.isBlank() ? null : note.strip();
        invite.maxUses = uses;
        invite.uses = 0;
        invite.expiresAt = Stored.truncate(expires);
        invite.createdAt = now;
        invite.createdBy = adminId;
        invites.persist(invite);
        LOG.infof("invite %s created by %s (%d uses)", invite.id, adminId, uses);
        return new Created(invite, code);
    }

    /** Every invite (used up and expired ones too), newest first. */
    public Page list(int limit, String cursor) {
        int size = Math.max(1, Math.min(limit, 200));
        Cursors.Position after = Cursors.decode(cursor);
        List<Invite> rows = after == null ? invites.page(null, null, size + 1)
                : invites.page(after.createdAt(), after.id(), size + 1);
        String next = null;
        if (rows.size() > size) {
            rows = rows.subList(0, size);
            Invite last = rows.get(size - 1);
            next = Cursors.encode(last.createdAt, last.id);
        }
        return new Page(rows, next);
    }

    /** Deletes (revokes) an invite: its code stops working at once; accounts made with it stay. */
    @Transactional
    public void delete(UUID id) {
        if (!invites.deleteById(id)) {
            throw ApiException.notFound("INVITE_NOT_FOUND", "No such invite");
        }
        LOG.infof("invite %s deleted", id);
    }

    /**
     * Takes one use of the code in the caller's transaction (a registration that fails afterwards gives it back), or
     * 403 {@code INVITE_INVALID}, the same for a missing, unknown, expired, deleted or used-up code.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void takeOneUse(String code) {
        if (code == null || code.isBlank() || code.length() > MAX_CODE_LENGTH
                || !invites.takeOneUse(TokenIssuer.sha256Hex(code.strip()), Stored.now())) {
            throw new ApiException(403, "INVITE_INVALID",
                    "Registration is by invitation: this invite code is not valid (it may have expired or been used)");
        }
    }
}
