package dev.parley.session.repository;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.parley.session.entity.Attachment;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AttachmentRepository implements PanacheRepositoryBase<Attachment, UUID> {

    public List<Attachment> ofMessages(Collection<UUID> messageIds) {
        return messageIds.isEmpty() ? List.of() : list("messageId in ?1 order by createdAt, id", messageIds);
    }

    public Optional<Attachment> ofUser(UUID userId, UUID id) {
        return find("id = ?1 and userId = ?2", id, userId).firstResultOptional();
    }

    /** An image's reference without its bytes. */
    public record Ref(UUID id, UUID messageId, String mediaType, long size) { }

    /** The images of these messages (references only, not their bytes), oldest first: one query. */
    public List<Ref> refsOf(Collection<UUID> messageIds) {
        if (messageIds.isEmpty()) {
            return List.of();
        }
        List<Object[]> rows = getEntityManager().createQuery("select a.id, a.messageId, a.mediaType, a.sizeBytes from Attachment a "
                + "where a.messageId in :ids order by a.createdAt, a.id", Object[].class).setParameter("ids", messageIds).getResultList();
        return rows.stream().map(r -> new Ref((UUID) r[0], (UUID) r[1], (String) r[2], ((Number) r[3]).longValue())).toList();
    }
}
