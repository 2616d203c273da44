package dev.parley.memory.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.memory.config.MemoryConfig;
import dev.parley.memory.entity.Memory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * Hybrid ranking of a user's memories for a query: embedding similarity (scored in Java over the user's vectors),
 * PostgreSQL full-text match on content and keywords (GIN index, any of the query's words), importance and recency
 * (half-life from the last update or use). Session-scoped memories count only for their own session. The user's
 * vectors are kept in a per-user snapshot, checked against the table with one index-only count per query, so a
 * query reads no vectors from PostgreSQL unless the user's memories changed. Without a query vector (embeddings
 * unavailable) ranking degrades to full-text, importance and recency.
 */
@ApplicationScoped
public class Retrieval {
    /** One ranked memory. */
    public record Hit(Memory memory, double score, double semantic, double text) { }

    /** The ranked memories, and whether semantic similarity was left out (embeddings unavailable). */
    public record Result(List<Hit> hits, boolean degraded) { }

    private record Candidate(UUID id, UUID sessionId, float importance, long recentEpochMs, Instant expiresAt, float[] vector) { }

    private record Snapshot(long count, long embedded, Instant newest, List<Candidate> candidates) { }

    private final EntityManager em;
    private final MemoryConfig config;
    private final Embeddings embeddings;
    private final Map<UUID, Snapshot> snapshots = java.util.Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Snapshot> eldest) {
            return size() > 1000;
        }
    });
    private final Counter degraded;

    public Retrieval(EntityManager em, MemoryConfig config, Embeddings embeddings, MeterRegistry registry) {
        this.em = em;
        this.config = config;
        this.embeddings = embeddings;
        this.degraded = Counter.builder("parley_memory_retrievals_degraded_total")
                .description("Retrievals ranked without embeddings (model unavailable)").register(registry);
    }

    /** The best {@code limit} memories of the user for the query, within the session (null: user scope only). */
    public Result search(UUID userId, UUID sessionId, String query, int limit) {
        float[] q = embeddings.embed(userId, query);
        return rank(userId, sessionId, query, q, limit);
    }

    /** Ranking with a query vector already computed (null: degraded). */
    public Result rank(UUID userId, UUID sessionId, String query, float[] queryVector, int limit) {
        if (queryVector == null) {
            degraded.increment();
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            Snapshot snap = snapshot(userId);
            Map<UUID, Double> text = textMatches(userId, sessionId, query);
            MemoryConfig.Weights w = config.weights();
            // degraded: the semantic weight goes to the full-text match, and matches rank before the rest
            boolean degradedRank = queryVector == null;
            double ws = degradedRank ? 0 : w.semantic();
            double wt = degradedRank ? w.semantic() + w.text() : w.text();
            double total = ws + wt + w.importance() + w.recency();
            long now = System.currentTimeMillis();
            double halfLifeMs = Math.max(1, config.recencyHalfLife().toMillis());
            Instant nowI = Instant.ofEpochMilli(now);
            List<double[]> scored = new ArrayList<>();
            List<Candidate> kept = new ArrayList<>();
            for (Candidate c : snap.candidates()) {
                if (c.sessionId() != null && !c.sessionId().equals(sessionId)) {
                    continue; // another session's memory
                }
                if (c.expiresAt() != null && c.expiresAt().isBefore(nowI)) {
                    continue;
                }
                double sem = queryVector == null || c.vector() == null ? 0 : Math.max(0, Vectors.cosine(queryVector, c.vector()));
                double tx = text.getOrDefault(c.id(), 0.0);
                double rec = Math.pow(0.5, Math.max(0, now - c.recentEpochMs()) / halfLifeMs);
                double score = (ws * sem + wt * tx + w.importance() * c.importance() + w.recency() * rec) / total;
                scored.add(new double[] {score, sem, tx, kept.size(), degradedRank && tx > 0 ? 1 : 0});
                kept.add(c);
            }
            scored.sort(Comparator.comparingDouble((double[] s) -> s[4]).thenComparingDouble(s -> s[0]).reversed());
            List<double[]> top = scored.subList(0, Math.min(limit, scored.size()));
            Map<UUID, Memory> rows = load(top.stream().map(s -> kept.get((int) s[3]).id()).toList());
            List<Hit> hits = new ArrayList<>(top.size());
            for (double[] s : top) {
                Memory m = rows.get(kept.get((int) s[3]).id());
                if (m != null) {
                    hits.add(new Hit(m, round(s[0]), round(s[1]), round(s[2])));
                }
            }
            return new Result(hits, queryVector == null);
        });
    }

    private static double round(double d) {
        return Math.round(d * 10000) / 10000.0;
    }

    /** Full-text rank (0–1) of the memories matching any of the query's (stemmed, non-stop) words. */
    @SuppressWarnings("unchecked")
    private Map<UUID, Double> textMatches(UUID userId, UUID sessionId, String query) {
        Map<UUID, Double> out = new HashMap<>();
        if (query == null || query.isBlank()) {
            return out;
        }
        List<Object[]> rows = em.createNativeQuery("""
                        select id, ts_rank_cd(document, q, 32) from memories,
                          (select to_tsquery('english', coalesce(nullif(replace(plainto_tsquery('english', ?1)::text, '&', '|'), ''), '')) as q) t
                        where user_id = ?2 and document @@ q and (session_id is null or session_id = ?3)
                        order by 2 desc limit 500""")
                .setParameter(1, query).setParameter(2, userId).setParameter(3, sessionId).getResultList();
        for (Object[] r : rows) {
            // ts_rank_cd with normalisation 32 (rank / (rank + 1)): 0–1, absolute, so a query's only weak match stays weak
            out.put((UUID) r[0], ((Number) r[1]).doubleValue());
        }
        return out;
    }

    private Map<UUID, Memory> load(List<UUID> ids) {
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

    /** The user's candidates, reloaded only when the table says they changed. */
    @SuppressWarnings("unchecked")
    private Snapshot snapshot(UUID userId) {
        String model = embeddings.model();
        Object[] stamp = (Object[]) em.createNativeQuery("select count(*), count(*) filter (where embedding is not null and "
                        + "embedding_model = ?2), max(updated_at) from memories where user_id = ?1")
                .setParameter(1, userId).setParameter(2, model).getSingleResult();
        long count = ((Number) stamp[0]).longValue();
        long embedded = ((Number) stamp[1]).longValue();
        Instant newest = stamp[2] == null ? null : toInstant(stamp[2]);
        Snapshot cached = snapshots.get(userId);
        if (cached != null && cached.count() == count && cached.embedded() == embedded
                && java.util.Objects.equals(cached.newest(), newest)) {
            return cached;
        }
        List<Object[]> rows = em.createNativeQuery("""
                        select id, session_id, importance, greatest(updated_at, coalesce(last_used_at, updated_at)), expires_at,
                               case when embedding_model = ?2 then embedding end
                        from memories where user_id = ?1 order by updated_at desc limit ?3""")
                .setParameter(1, userId).setParameter(2, model).setParameter(3, config.maxCandidates()).getResultList();
        List<Candidate> candidates = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            candidates.add(new Candidate((UUID) r[0], (UUID) r[1], ((Number) r[2]).floatValue(), toInstant(r[3]).toEpochMilli(),
                    r[4] == null ? null : toInstant(r[4]), r[5] == null ? null : Vectors.decode((byte[]) r[5])));
        }
        Snapshot fresh = new Snapshot(count, embedded, newest, candidates);
        snapshots.put(userId, fresh);
        return fresh;
    }

    private static Instant toInstant(Object o) {
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (o instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + o.getClass());
    }

    /** Forget a user's snapshot (after this replica changed the user's memories; others notice by the count). */
    public void invalidate(UUID userId) {
        snapshots.remove(userId);
    }

    /** Marks memories as used now (they went into a prompt). */
    public void used(List<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update memories set last_used_at = now() where id = any(?1)")
                .setParameter(1, ids.toArray(new UUID[0])).executeUpdate());
    }
}
