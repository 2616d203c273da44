package dev.parley.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import redis.embedded.RedisServer;

/**
 * A real redis-server on loopback for tests, started from the binary inside the embedded-redis artifact (no Docker, no
 * system package). One server per JVM, shared by every test class that lists this resource; it is stopped when the
 * JVM ends. Gives the gateway {@code parley.gateway.rate-limits.redis-url}.
 */
public class EmbeddedRedis implements QuarkusTestResourceLifecycleManager {
    private static RedisServer server;
    private static int port;

    /** Starts the shared server if it is not running; answers its redis:// URL. */
    public static synchronized String url() {
        if (server == null) {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                        .setting("save \"\"").setting("appendonly no").build();
                server.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded redis-server", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedRedis::stopServer));
        }
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server (tests of a Redis outage), {@link #restart()} brings it back on the same port. */
    public static synchronized void stopServer() {
        if (server != null) {
            try {
                server.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static synchronized void restart() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> start() {
        return Map.of("parley.gateway.rate-limits.redis-url", url());
    }

    @Override
    public void stop() {
        // kept for the JVM's other test classes; the shutdown hook stops it
    }
}
