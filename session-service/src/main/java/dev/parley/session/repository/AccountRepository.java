package dev.parley.session.repository;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import dev.parley.session.entity.Attachment;
import dev.parley.session.entity.ChatSession;
import dev.parley.session.entity.Message;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * A user's whole record in this service, for an account's deletion and its export: sessions, their messages and
 * images, their events, and the outbox rows towards memory-service. Call inside a transaction.
 */
@ApplicationScoped
public class AccountRepository {
    private final EntityManager em;

    public AccountRepository(EntityManager em) {
        this.em = em;
    }

    /**
     * Deletes everything of the user: the events of their sessions, the extractions and memory deletions still owed
     * (memory-service deletes the user's memories on its own account job), then the sessions, whose messages and images
     * go with them (foreign keys, on delete cascade). Idempotent.
     */
    public void delete(UUID userId) {
        em.createNativeQuery("delete from session_events where session_id in (select id from sessions where user_id = ?1)")
                .setParameter(1, userId).executeUpdate();
        em.createNativeQuery("delete from memory_extractions where user_id = ?1").setParameter(1, userId).executeUpdate();
        em.createNativeQuery("delete from memory_deletions where user_id = ?1").setParameter(1, userId).executeUpdate();
        em.createNativeQuery("delete from sessions where user_id = ?1").setParameter(1, userId).executeUpdate();
        // rows of the user outside their own sessions would be a bug elsewhere; none may outlive the account
        em.createNativeQuery("delete from attachments where user_id = ?1").setParameter(1, userId).executeUpdate();
        em.createNativeQuery("delete from messages where user_id = ?1").setParameter(1, userId).executeUpdate();
    }

    /** The user's sessions, oldest first. */
    public List<ChatSession> sessions(UUID userId) {
        return em.createQuery("from ChatSession where userId = :u order by createdAt, id", ChatSession.class)
                .setParameter("u", userId).getResultList();
    }

    /** Up to {@code limit} messages of a session after ({@code afterCreated}, {@code afterId}) (null: from the first), oldest first. */
    public List<Message> messages(UUID sessionId, Instant afterCreated, UUID afterId, int limit) {
        String q = "from Message where sessionId = :s" + (afterCreated == null ? "" : " and (createdAt > :c or (createdAt = :c and id > :i))")
                + " order by createdAt, id";
        var query = em.createQuery(q, Message.class).setParameter("s", sessionId);
        if (afterCreated != null) {
            query.setParameter("c", afterCreated).setParameter("i", afterId);
        }
        return query.setMaxResults(limit).getResultList();
    }

    /** The images of these messages without their bytes ({@link #imageData} reads those one at a time). */
    public List<AttachmentRepository.Ref> imageRefs(Collection<UUID> messageIds) {
        if (messageIds.isEmpty()) {
            return List.of();
        }
        List<Object[]> rows = em.createQuery("select a.id, a.messageId, a.mediaType, a.sizeBytes from Attachment a "
                + "where a.messageId in :ids order by a.createdAt, a.id", Object[].class).setParameter("ids", messageIds).getResultList();
        return rows.stream().map(r -> new AttachmentRepository.Ref((UUID) r[0], (UUID) r[1], (String) r[2], ((Number) r[3]).longValue())).toList();
    }

    public byte[] imageData(UUID attachmentId) {
        Attachment a = em.find(Attachment.class, attachmentId);
        return a == null ? null : a.data;
    }
}
