package dev.parley.memory.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.memory.entity.Memory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/** A user's whole record in this service, for an account's deletion and its export. Call inside a transaction. */
@ApplicationScoped
public class AccountRepository {
    private final EntityManager em;

    public AccountRepository(EntityManager em) {
        this.em = em;
    }

    /**
     * Deletes everything of the user: extraction outcomes, memories (their history and embeddings go with them), and
     * last the version row (which deleting the memories bumps). Idempotent.
     */
    public void delete(UUID userId) {
        em.createNativeQuery("delete from extraction_outcomes where user_id = ?1").setParameter(1, userId).executeUpdate();
        em.createNativeQuery("delete from memories where user_id = ?1").setParameter(1, userId).executeUpdate();
        em.createNativeQuery("delete from memory_versions where user_id = ?1").setParameter(1, userId).executeUpdate();
    }

    /** Up to {@code limit} of the user's memories after ({@code afterCreated}, {@code afterId}) (null: from the first), oldest first. */
    public List<Memory> memories(UUID userId, Instant afterCreated, UUID afterId, int limit) {
        String q = "from Memory where userId = :u" + (afterCreated == null ? "" : " and (createdAt > :c or (createdAt = :c and id > :i))")
                + " order by createdAt, id";
        var query = em.createQuery(q, Memory.class).setParameter("u", userId);
        if (afterCreated != null) {
            query.setParameter("c", afterCreated).setParameter("i", afterId);
        }
        return query.setMaxResults(limit).getResultList();
    }

    /** The earlier contents of these memories, oldest first, by memory id. */
    @SuppressWarnings("unchecked")
    public Map<UUID, List<MemoryRepository.HistoryEntry>> history(Collection<UUID> memoryIds) {
        Map<UUID, List<MemoryRepository.HistoryEntry>> out = new LinkedHashMap<>();
        if (memoryIds.isEmpty()) {
            return out;
        }
        List<Object[]> rows = em.createNativeQuery("select memory_id, content, replaced_at, source, reason from memory_history "
                + "where memory_id in (:ids) order by id").setParameter("ids", memoryIds).getResultList();
        for (Object[] r : rows) {
            out.computeIfAbsent((UUID) r[0], k -> new ArrayList<>())
                    .add(new MemoryRepository.HistoryEntry((String) r[1], Times.instant(r[2]), (String) r[3], (String) r[4]));
        }
        return out;
    }
}
