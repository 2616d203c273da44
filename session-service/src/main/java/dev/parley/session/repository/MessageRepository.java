package dev.parley.session.repository;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.parley.session.entity.Message;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class MessageRepository implements PanacheRepositoryBase<Message, UUID> {

    public Optional<Message> ofUser(UUID userId, UUID id) {
        return find("id = ?1 and userId = ?2", id, userId).firstResultOptional();
    }

    public Optional<Message> inSession(UUID sessionId, UUID id) {
        return find("id = ?1 and sessionId = ?2", id, sessionId).firstResultOptional();
    }

    /** Every message of a session, oldest first (the whole tree). */
    public List<Message> tree(UUID sessionId) {
        return list("sessionId = ?1 order by createdAt, id", sessionId);
    }

    public Optional<Message> byIdempotencyKey(UUID sessionId, String key) {
        return find("sessionId = ?1 and idempotencyKey = ?2", sessionId, key).firstResultOptional();
    }

    /** The first reply to a message (the turn's answer, for an idempotent replay). */
    public Optional<Message> firstChild(UUID parentId) {
        return find("parentMessageId = ?1 order by createdAt, id", parentId).firstResultOptional();
    }

    /**
     * The chain from the root to {@code leafId}, oldest first, in one query: a recursive CTE walking parent links
     * (each step an index lookup on the primary key).
     */
    @SuppressWarnings("unchecked")
    public List<Message> chain(UUID sessionId, UUID leafId) {
        return getEntityManager().createNativeQuery("""
                with recursive chain(id, parent_message_id) as (
                    select id, parent_message_id from messages where id = :leaf and session_id = :session
                    union all
                    select m.id, m.parent_message_id from messages m join chain c on m.id = c.parent_message_id
                )
                select m.* from messages m join chain c on m.id = c.id order by m.depth""", Message.class)
                .setParameter("leaf", leafId).setParameter("session", sessionId).getResultList();
    }

    /** The newest leaf under {@code id} (itself when it has no children): where a branch switch lands. */
    public UUID newestLeafUnder(UUID id) {
        Object leaf = getEntityManager().createNativeQuery("""
                with recursive sub(id, created_at) as (
                    select id, created_at from messages where id = :id
                    union all
                    select m.id, m.created_at from messages m join sub s on m.parent_message_id = s.id
                )
                select s.id from sub s where not exists (select 1 from messages c where c.parent_message_id = s.id)
                order by s.created_at desc, s.id desc limit 1""").setParameter("id", id).getSingleResult();
        return (UUID) leaf;
    }
}
