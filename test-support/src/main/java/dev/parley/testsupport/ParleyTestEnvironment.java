package dev.parley.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The one test resource set of a module: a real PostgreSQL (embedded, started once per test JVM, or the server in
 * {@code PARLEY_TEST_JDBC_URL}), Dev Services off, and the test signing key (auth-service signs with it, every
 * service verifies against its JWKS file).
 */
public class ParleyTestEnvironment implements QuarkusTestResourceLifecycleManager {
    /** The one origin every service under test grants CORS (the contract tests check it is granted and no other). */
    public static final String CONFIGURED_ORIGIN = "https://console.parley.test";
    private static EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        String external = System.getenv("PARLEY_TEST_JDBC_URL");
        if (external != null && !external.isBlank()) {
            config.put("quarkus.datasource.jdbc.url", external);
            config.put("quarkus.datasource.username", env("PARLEY_TEST_DB_USER", "postgres"));
            config.put("quarkus.datasource.password", env("PARLEY_TEST_DB_PASSWORD", ""));
        } else {
            EmbeddedPostgres pg = embedded();
            config.put("quarkus.datasource.jdbc.url", pg.getJdbcUrl("postgres", "parley_test"));
            config.put("quarkus.datasource.username", "postgres");
            config.put("quarkus.datasource.password", "");
        }
        config.put("quarkus.http.cors.origins", CONFIGURED_ORIGIN);
        config.put("quarkus.devservices.enabled", "false");
        config.put("quarkus.datasource.devservices.enabled", "false");
        TestKeys keys = TestKeys.get();
        config.put("parley.auth.jwks-location", keys.jwksFile().toUri().toString());
        config.put("parley.auth.jwt.signing-key-location", keys.pemFile().toString());
        return config;
    }

    private static synchronized EmbeddedPostgres embedded() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
                try (Connection c = postgres.getPostgresDatabase().getConnection();
                     Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE parley_test");
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is going away
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            } catch (SQLException e) {
                throw new IllegalStateException("could not create the test database", e);
            }
        }
        return postgres;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }

    @Override
    public void stop() {
        // PostgreSQL stays up for the rest of the JVM: Quarkus restarts between test classes reuse it.
    }
}
