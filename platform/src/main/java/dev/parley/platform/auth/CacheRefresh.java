package dev.parley.platform.auth;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/** Two daemon threads that refresh cache entries ahead of their expiry (bounded queue: a refresh may be skipped). */
final class CacheRefresh {
    private static final Logger LOG = Logger.getLogger(CacheRefresh.class);
    private static final ExecutorService POOL = new ThreadPoolExecutor(1, 2, 60, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(10_000), r -> {
                Thread t = new Thread(r, "parley-cache-refresh");
                t.setDaemon(true);
                return t;
            });

    private CacheRefresh() { }

    /** False when the refresh could not be queued: the caller releases its claim (the entry then expires as before). */
    static boolean submit(Runnable refresh) {
        try {
            POOL.execute(refresh);
            return true;
        } catch (RejectedExecutionException e) {
            LOG.debug("cache refresh skipped: queue full");
            return false;
        }
    }
}
