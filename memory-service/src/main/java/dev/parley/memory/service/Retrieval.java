package dev.parley.memory.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.parley.memory.config.MemoryConfig;
import dev.parley.memory.entity.Memory;
import dev.parley.memory.repository.RankingQueries;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Hybrid ranking of a user's memories for a query, in memory: embedding similarity, a full-text match, importance
 * and recency (half-life from the last update or use). Session-scoped memories count only for their own session;
 * expired ones not at all.
 * <p>
 * Each replica keeps a snapshot of a user's candidates (ids, vectors, the lexemes of PostgreSQL's English
 * full-text document of content and keywords, importance, times): one query per request reads the user's version
 * (bumped by a trigger on every change that matters) and the query's lexemes (stemmed by PostgreSQL exactly as the
 * documents are); the snapshot is reloaded only when the version moved. The full-text match is an IDF-weighted BM25
 * score over the user's memories, saturated into 0–1 (a word every memory has, such as "user", weighs nothing).
 * Snapshots are bounded by the number of vectors held (least recently used users go first). Without a query vector
 * (embeddings unavailable) ranking degrades to full-text, importance and recency, the full-text matches first.
 */
@ApplicationScoped
public class Retrieval {
    /** One ranked memory with the two query-dependent signals in its score. */
    public record Hit(Memory memory, double score, double semantic, double text) { }

    /**
     * The ranked memories, whether semantic similarity was left out (embeddings unavailable), and the time spent
     * embedding the query and ranking (milliseconds; sent as Server-Timing).
     */
    public record Result(List<Hit> hits, boolean degraded, double embedMs, double rankMs) {
        public String serverTiming() {
            return String.format(java.util.Locale.ROOT, "embed;dur=%.2f, rank;dur=%.2f", embedMs, rankMs);
        }
    }

    /**
     * A user's candidates as columns (one array per field, the vectors back to back in one array), so that scoring
     * runs over contiguous memory and allocates nothing per candidate.
     */
    private record Snapshot(long version, int size, UUID[] ids, UUID[] sessions, float[] importance, long[] recent,
                            long[] expires, float[] vectors, int dims, boolean[] hasVector, String[][] lexemes, int[] lengths,
                            Map<String, Integer> documentFrequency, double avgLength) { }

    /** BM25 parameters (the usual ones) and the saturation of the summed score into 0–1. */
    static final double K1 = 1.2;
    static final double B = 0.75;
    static final double SATURATION = 2.0;

    private final RankingQueries queries;
    private final MemoryConfig config;
    private final Embeddings embeddings;
    private final Counter degraded;
    private final Timer rankTimer;
    private final LinkedHashMap<UUID, Snapshot> snapshots = new LinkedHashMap<>(256, 0.75f, true);
    private long vectorsHeld;

    public Retrieval(RankingQueries queries, MemoryConfig config, Embeddings embeddings, MeterRegistry registry) {
        this.queries = queries;
        this.config = config;
        this.embeddings = embeddings;
        this.degraded = Counter.builder("parley_memory_retrievals_degraded_total")
                .description("Retrievals ranked without embeddings (model unavailable)").register(registry);
        this.rankTimer = Timer.builder("parley_memory_retrieval_seconds")
                .description("Ranking a user's memories for a query (the query's embedding excluded)")
                .publishPercentileHistogram().register(registry);
        registry.gauge("parley_memory_snapshot_vectors", this, r -> r.held());
    }

    /** The best {@code limit} memories of the user for the query, within the session (null: user scope only). */
    public Result search(UUID userId, UUID sessionId, String query, int limit) {
        long t0 = System.nanoTime();
        float[] q = embeddings.embed(userId, query);
        double embedMs = (System.nanoTime() - t0) / 1e6;
        Result r = rank(userId, sessionId, query, q, limit);
        return new Result(r.hits(), r.degraded(), embedMs, r.rankMs());
    }

    /** Ranking with a query vector already computed (null: degraded). */
    public Result rank(UUID userId, UUID sessionId, String query, float[] queryVector, int limit) {
        if (queryVector == null) {
            degraded.increment();
        }
        long t0 = System.nanoTime();
        List<Hit> hits = QuarkusTransaction.requiringNew().call(() -> {
            RankingQueries.Head head = queries.head(userId, query);
            Snapshot snap = snapshot(userId, head.version());
            return score(snap, sessionId, queryVector, head.queryLexemes(), limit);
        });
        long took = System.nanoTime() - t0;
        rankTimer.record(took, TimeUnit.NANOSECONDS);
        return new Result(hits, queryVector == null, 0, took / 1e6);
    }

    private List<Hit> score(Snapshot snap, UUID sessionId, float[] queryVector, String[] queryLexemes, int limit) {
        MemoryConfig.Weights w = config.weights();
        boolean degradedRank = queryVector == null;
        // degraded: the semantic weight goes to the full-text match, and matches rank before the rest
        double ws = degradedRank ? 0 : w.semantic();
        double wt = degradedRank ? w.semantic() + w.text() : w.text();
        double total = ws + wt + w.importance() + w.recency();
        long now = System.currentTimeMillis();
        double decay = Math.log(2) / Math.max(1, config.recencyHalfLife().toMillis());
        int n = snap.size();
        double[] idf = new double[queryLexemes.length];
        for (int i = 0; i < queryLexemes.length; i++) {
            int df = snap.documentFrequency().getOrDefault(queryLexemes[i], 0);
            idf[i] = df == 0 ? 0 : Math.log(1 + (n - df + 0.5) / (df + 0.5));
        }
        int dims = snap.dims();
        boolean semantic = queryVector != null && queryVector.length == dims;
        float[] vectors = snap.vectors();
        int k = Math.max(1, limit);
        // the best k so far: parallel arrays kept sorted, best first (k is small)
        int[] topIdx = new int[k];
        double[] topKey = new double[k];
        double[] topSem = new double[k];
        double[] topTx = new double[k];
        double[] topScore = new double[k];
        int count = 0;
        for (int c = 0; c < n; c++) {
            UUID session = snap.sessions()[c];
            if (session != null && !session.equals(sessionId)) {
                continue; // another session's memory
            }
            if (snap.expires()[c] < now) {
                continue;
            }
            double sem = 0;
            if (semantic && snap.hasVector()[c]) {
                float dot = 0;
                for (int d = 0, base = c * dims; d < dims; d++) {
                    dot += queryVector[d] * vectors[base + d];
                }
                sem = Math.max(0, dot);
            }
            double bm25 = 0;
            for (int i = 0; i < queryLexemes.length; i++) {
                if (idf[i] > 0 && contains(snap.lexemes()[c], queryLexemes[i])) {
                    // each lexeme once per document (tsvector positions are not kept): tf = 1
                    bm25 += idf[i] * (K1 + 1) / (1 + K1 * (1 - B + B * snap.lengths()[c] / snap.avgLength()));
                }
            }
            double tx = bm25 / (bm25 + SATURATION);
            double rec = Math.exp(-Math.max(0, now - snap.recent()[c]) * decay);
            double score = (ws * sem + wt * tx + w.importance() * snap.importance()[c] + w.recency() * rec) / total;
            // full-text matches first when degraded: a key above every score
            double key = degradedRank && tx > 0 ? score + 2 : score;
            if (count == k && key <= topKey[k - 1]) {
                continue;
            }
            int at = count < k ? count++ : k - 1;
            while (at > 0 && topKey[at - 1] < key) {
                topIdx[at] = topIdx[at - 1];
                topKey[at] = topKey[at - 1];
                topSem[at] = topSem[at - 1];
                topTx[at] = topTx[at - 1];
                topScore[at] = topScore[at - 1];
                at--;
            }
            topIdx[at] = c;
            topKey[at] = key;
            topSem[at] = sem;
            topTx[at] = tx;
            topScore[at] = score;
        }
        List<UUID> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(snap.ids()[topIdx[i]]);
        }
        Map<UUID, Memory> rows = queries.load(ids);
        List<Hit> hits = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Memory m = rows.get(ids.get(i));
            // the row as it is now: a change after the snapshot's version was read may have moved or expired it
            if (m != null && (m.sessionId == null || m.sessionId.equals(sessionId))
                    && (m.expiresAt == null || m.expiresAt.toEpochMilli() >= now)) {
                hits.add(new Hit(m, round(topScore[i]), round(topSem[i]), round(topTx[i])));
            }
        }
        return hits;
    }

    private static boolean contains(String[] sorted, String lexeme) {
        return java.util.Arrays.binarySearch(sorted, lexeme) >= 0;
    }

    private static double round(double d) {
        return Math.round(d * 10000) / 10000.0;
    }

    /** The user's candidates at {@code version}, reloaded only when that moved. */
    private Snapshot snapshot(UUID userId, long version) {
        synchronized (snapshots) {
            Snapshot cached = snapshots.get(userId);
            if (cached != null && cached.version() == version) {
                return cached;
            }
        }
        List<RankingQueries.Candidate> rows = queries.candidates(userId, embeddings.model(), config.maxCandidates());
        int n = rows.size();
        int dims = 0;
        for (RankingQueries.Candidate r : rows) {
            if (r.vector() != null) {
                dims = r.vector().length / 4;
                break;
            }
        }
        UUID[] ids = new UUID[n];
        UUID[] sessions = new UUID[n];
        float[] importance = new float[n];
        long[] recent = new long[n];
        long[] expires = new long[n];
        float[] vectors = new float[n * dims];
        boolean[] hasVector = new boolean[n];
        String[][] lexemes = new String[n][];
        int[] lengths = new int[n];
        Map<String, Integer> df = new HashMap<>();
        long lengthSum = 0;
        for (int i = 0; i < n; i++) {
            RankingQueries.Candidate r = rows.get(i);
            ids[i] = r.id();
            sessions[i] = r.sessionId();
            importance[i] = r.importance();
            recent[i] = r.recent().toEpochMilli();
            expires[i] = r.expiresAt() == null ? Long.MAX_VALUE : r.expiresAt().toEpochMilli();
            if (r.vector() != null && r.vector().length == dims * 4) {
                java.nio.ByteBuffer.wrap(r.vector()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vectors, i * dims, dims);
                hasVector[i] = true;
            }
            String[] lx = r.lexemes();
            java.util.Arrays.sort(lx); // tsvector_to_array is sorted already; sorting again costs nothing then
            for (String l : lx) {
                df.merge(l, 1, Integer::sum);
            }
            lexemes[i] = lx;
            lengths[i] = Math.max(1, lx.length);
            lengthSum += lx.length;
        }
        Snapshot fresh = new Snapshot(version, n, ids, sessions, importance, recent, expires, vectors, dims, hasVector, lexemes,
                lengths, df, n == 0 ? 1 : Math.max(1, (double) lengthSum / n));
        synchronized (snapshots) {
            Snapshot old = snapshots.get(userId);
            if (old != null && old.version() > fresh.version()) {
                return fresh; // a slower load of an older version: keep the newer one held
            }
            snapshots.put(userId, fresh);
            vectorsHeld += fresh.size() - (old == null ? 0 : old.size());
            var it = snapshots.entrySet().iterator();
            while (vectorsHeld > config.snapshotBudget() && it.hasNext()) {
                var eldest = it.next();
                if (eldest.getKey().equals(userId)) {
                    continue;
                }
                vectorsHeld -= eldest.getValue().size();
                it.remove();
            }
        }
        return fresh;
    }

    private long held() {
        synchronized (snapshots) {
            return vectorsHeld;
        }
    }

    /** Forget a user's snapshot now (the version check would notice on the next query anyway). */
    public void invalidate(UUID userId) {
        synchronized (snapshots) {
            Snapshot old = snapshots.remove(userId);
            if (old != null) {
                vectorsHeld -= old.size();
            }
        }
    }

    /** Marks memories as used now (they went into a prompt); does not move the user's version. */
    public void used(List<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        QuarkusTransaction.requiringNew().run(() -> queries.markUsed(ids));
    }
}
