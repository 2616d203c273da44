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
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
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
    private volatile AllMiniLmL6V2EmbeddingModel model;

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
        this.timer = Timer.builder("parley_memory_embedding_seconds").description("Local embedding of one request")
                .publishPercentileHistogram().register(registry);
    }

    /** Loads the model off the start-up path (about a second); the first request waits for it if it comes earlier. */
    void warm(@Observes StartupEvent e) {
        pool.submit(this::model);
    }

    void stop(@Observes ShutdownEvent e) {
        pool.shutdownNow();
    }

    private AllMiniLmL6V2EmbeddingModel model() {
        AllMiniLmL6V2EmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                m = model;
                if (m == null) {
                    // a direct executor: the model must not fan out beyond this pool's threads
                    m = new AllMiniLmL6V2EmbeddingModel(Runnable::run);
                    model = m;
                }
            }
        }
        return m;
    }

    /** Embeds the texts (unit vectors); 503 when the model is saturated. */
    public Result embed(List<String> texts) {
        if (!admitted.tryAcquire()) {
            throw new ApiException(503, "EMBEDDINGS_BUSY", "The local embedding model is busy; retry shortly.");
        }
        try {
            Future<Result> f = pool.submit(() -> {
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
            });
            return f.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "EMBEDDINGS_UNAVAILABLE", "Embedding was interrupted.");
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiException(503, "EMBEDDINGS_UNAVAILABLE", "The local embedding model failed.");
        } finally {
            admitted.release();
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
