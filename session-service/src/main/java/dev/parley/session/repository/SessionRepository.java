package dev.parley.session.repository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.parley.session.entity.ChatSession;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class SessionRepository implements PanacheRepositoryBase<ChatSession, UUID> {

    public Optional<ChatSession> ofUser(UUID userId, UUID id) {
        return find("id = ?1 and userId = ?2", id, userId).firstResultOptional();
    }

    /** The reply of a turn becomes the session's active leaf. */
    public void activeLeaf(UUID sessionId, UUID leafId, Instant updatedAt) {
        update("activeLeafId = ?1, updatedAt = ?2 where id = ?3", leafId, updatedAt, sessionId);
    }

    /** A refused turn's user message is gone: its parent is the active leaf again, unless another turn moved it. */
    public void activeLeafBack(UUID sessionId, UUID from, UUID backTo) {
        update("activeLeafId = ?1 where id = ?2 and activeLeafId = ?3", backTo, sessionId, from);
    }

    /** Sets the title of a session that has none; false when it has one (a title the user gave is kept). */
    public boolean titleIfUntitled(UUID sessionId, String title, Instant updatedAt) {
        return update("title = ?1, updatedAt = ?2 where id = ?3 and title is null", title, updatedAt, sessionId) == 1;
    }

    /** One page of a user's sessions, newest first, after the cursor (created_at, id), optionally by title text. */
    public List<ChatSession> page(UUID userId, Instant beforeCreated, UUID beforeId, String titleLike, int size) {
        StringBuilder q = new StringBuilder("userId = :user");
        Parameters p = Parameters.with("user", userId);
        if (beforeCreated != null) {
            q.append(" and (createdAt < :created or (createdAt = :created and id < :id))");
            p.and("created", beforeCreated).and("id", beforeId);
        }
        if (titleLike != null) {
            q.append(" and lower(title) like :title escape '\\'");
            p.and("title", "%" + titleLike.toLowerCase(java.util.Locale.ROOT)
                    .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        q.append(" order by createdAt desc, id desc");
        return find(q.toString(), p).page(0, size).list();
    }
}
