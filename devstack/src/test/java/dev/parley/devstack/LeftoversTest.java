package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A launcher that was SIGKILLed cannot stop its embedded PostgreSQL (pg_ctl runs it in a session of its own, so even a
 * group signal does not reach it): the next start must recognise it by the data folder's postmaster.pid and stop it,
 * and must not touch anything it does not recognise.
 */
class LeftoversTest {

    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aPostgresLeftRunningOnTheDataFolderIsRecognisedAndStopped() throws Exception {
        int port = freePort();
        Path data = tmp.resolve("pgdata");
        // An earlier launcher started it and died without closing it.
        PostgresRunner.startEmbedded(data, tmp.resolve("postgres.log"), port);
        try {
            assertFalse(Launcher.isFree("127.0.0.1", port), "the leftover holds the port");
            Leftovers.Postmaster found = Leftovers.postgresOn(data).orElseThrow();
            assertEquals(port, found.port());
            assertTrue(found.process().isAlive());

            assertTrue(Leftovers.stopPostgresOn(data));
            assertFalse(found.process().isAlive());
            assertTrue(Launcher.isFree("127.0.0.1", port), "the port is free for the new launcher");
            assertFalse(Files.exists(data.resolve("postmaster.pid")));
            assertFalse(Leftovers.stopPostgresOn(data), "nothing left to stop");
            // (that a new launcher then starts on the same folder is LauncherSignalsIT's, in e2e: another JVM, as in life)
        } finally {
            Leftovers.postgresOn(data).ifPresent(pm -> pm.process().destroyForcibly());
        }
    }

    @Test
    void aPidFileNamingAnotherProgramOrAnotherFolderIsNotALeftover() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("pgdata"));
        long me = ProcessHandle.current().pid(); // alive, but java, not postgres
        Files.write(data.resolve("postmaster.pid"), List.of(Long.toString(me), data.toString(), "1700000000", "54329"));
        assertTrue(Leftovers.postgresOn(data).isEmpty());
        assertFalse(Leftovers.stopPostgresOn(data));
        assertTrue(ProcessHandle.current().isAlive());

        Files.write(data.resolve("postmaster.pid"), List.of("999999999", data.toString(), "1700000000", "54329"));
        assertTrue(Leftovers.postgresOn(data).isEmpty(), "a dead pid (a stale file PostgreSQL replaces) is nothing to stop");

        Files.write(data.resolve("postmaster.pid"), List.of("garbage"));
        assertTrue(Leftovers.postgresOn(data).isEmpty());
    }

    @Test
    void aPostgresOfAnotherDataFolderIsLeftAlone() throws Exception {
        int port = freePort();
        Path theirs = tmp.resolve("theirs");
        PostgresRunner other = PostgresRunner.startEmbedded(theirs, tmp.resolve("theirs.log"), port);
        try {
            Path ours = Files.createDirectories(tmp.resolve("ours"));
            // Our folder's pid file (copied) names their live server, but their server serves another folder.
            Files.copy(theirs.resolve("postmaster.pid"), ours.resolve("postmaster.pid"));
            assertTrue(Leftovers.postgresOn(ours).isEmpty());
            assertFalse(Leftovers.stopPostgresOn(ours));
            assertFalse(Launcher.isFree("127.0.0.1", port), "their server still runs");
        } finally {
            other.close();
        }
    }

    @Test
    void noServiceOfThisFolderIsFoundWhenNoneRuns() {
        for (Service s : Service.ALL) {
            assertTrue(Leftovers.serviceOf(s, tmp, tmp).isEmpty());
        }
    }
}
