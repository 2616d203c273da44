package dev.parley.memory.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.memory.entity.Memory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * The retrieval hot path's queries (native SQL: PostgreSQL's full-text functions, arrays, one round trip each), called
 * inside the caller's transaction: the user's version and the query's lexemes, a user's candidates for a snapshot,
 * the winners' rows, and marking memories used.
 */
@ApplicationScoped
public class RankingQueries {
    /** The user's ranking version (0: none yet) and the query's stemmed words, as PostgreSQL stems the documents. */
    public record Head(long version, String[] queryLexemes) { }

    /**
     * One candidate: its vector only when it is of the current model, its most recent change or use, the lexemes of
     * its full-text document (sorted).
     */
    public record Candidate(UUID id, UUID sessionId, float importance, Instant recent, Instant expiresAt, byte[] vector,
                            String[] lexemes) { }

    private final EntityManager em;

    public RankingQueries(EntityManager em) {
        this.em = em;
    }

    public Head head(UUID userId, String query) {
        Object[] head = (Object[]) em.createNativeQuery("select (select version from memory_versions where user_id = ?1), "
                        + "tsvector_to_array(to_tsvector('english', ?2))")
                .setParameter(1, userId).setParameter(2, query == null ? "" : query).getSingleResult();
        return new Head(head[0] == null ? 0 : ((Number) head[0]).longValue(), head[1] == null ? new String[0] : (String[]) head[1]);
    }

    /** At most {@code max} of the user's memories, the most recently changed first. */
    @SuppressWarnings("unchecked")
    public List<Candidate> candidates(UUID userId, String model, int max) {
        List<Object[]> rows = em.createNativeQuery("""
                        select id, session_id, importance, greatest(updated_at, coalesce(last_used_at, updated_at)), expires_at,
                               case when embedding_model = ?2 then embedding end, tsvector_to_array(document)
                        from memories where user_id = ?1 order by updated_at desc limit ?3""")
                .setParameter(1, userId).setParameter(2, model).setParameter(3, max).getResultList();
        List<Candidate> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            out.add(new Candidate((UUID) r[0], (UUID) r[1], ((Number) r[2]).floatValue(), Times.instant(r[3]), Times.instant(r[4]),
                    (byte[]) r[5], r[6] == null ? new String[0] : (String[]) r[6]));
        }
        return out;
    }

    /** The rows of these memories as they are now, detached, by id. */
    public Map<UUID, Memory> load(List<UUID> ids) {
        Map<UUID, Memory> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        em.createQuery("from Memory where id in ?1", Memory.class).setParameter(1, ids).getResultList()
                .forEach(m -> {
                    em.detach(m);
                    out.put(m.id, m);
                });
        return out;
    }

    /** Marks memories as used now (does not move the user's version). */
    public void markUsed(List<UUID> ids) {
        em.createNativeQuery("update memories set last_used_at = now() where id = any(?1)")
                .setParameter(1, ids.toArray(new UUID[0])).executeUpdate();
    }
}
