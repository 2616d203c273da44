package dev.parley.auth.repository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.parley.auth.entity.Invite;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class InviteRepository implements PanacheRepositoryBase<Invite, UUID> {

    /**
     * Takes one use of the code with this hash if it is still good (not expired, not used up), in one UPDATE: the row
     * lock makes a second registration racing for the last use re-check {@code uses < max_uses} and find none left.
     */
    /** An account being deleted: the invites it made stay (the platform's), without its id on them. */
    public long forgetMaker(UUID userId) {
        return update("createdBy = null where createdBy = ?1", userId);
    }

    public boolean takeOneUse(String codeHash, Instant now) {
        return update("uses = uses + 1 where codeHash = ?1 and uses < maxUses and expiresAt > ?2", codeHash, now) == 1;
    }

    /** Newest first, {@code size} rows after the keyset position (none: from the newest). */
    public List<Invite> page(Instant afterCreatedAt, UUID afterId, int size) {
        if (afterCreatedAt == null) {
            return find("order by createdAt desc, id desc").page(0, size).list();
        }
        return find("createdAt < ?1 or (createdAt = ?1 and id < ?2) order by createdAt desc, id desc",
                afterCreatedAt, afterId).page(0, size).list();
    }
}
