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
}
