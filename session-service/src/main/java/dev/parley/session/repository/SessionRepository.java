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
