package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./parley up} as a supervisor or a script runs it (the jars are built, so it starts the launcher at once), in a JVM of its own (failsafe execution
 * {@code launcher-signals}, never beside the suite's platform: same ports): started in a new session, stopped by a
 * signal to its whole process group, it must leave nothing running — and since a SIGKILL'd launcher cannot clean up,
 * the next start on the same data folder must stop what it left, saying so, while a port held by anything else is
 * refused. Its environment holds an operator's PARLEY_ADMIN_* (the pom sets them), which {@code ./parley up} passes on.
 */
class LauncherSignalsIT {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final List<Integer> PORTS = List.of(8080, 8081, 8082, 8083, 8084, 8085, 54329);
    private static final Duration READY = Duration.ofSeconds(180);

    @TempDir
    Path tmp;

    private final List<ProcessHandle> started = new ArrayList<>();

    /** One launcher: its process (leader of its own session and group) and the file its output goes to. */
    private record Launch(Process process, Path output) {
        long pid() {
            return process.pid();
        }

        String text() throws IOException {
            return Files.readString(output, StandardCharsets.UTF_8);
        }
    }

    private Launch launch(Path home, String name, boolean sigintIgnored) throws IOException {
        Path out = tmp.resolve(name + ".out");
        // As a script's background job: bash runs it with SIGINT ignored, which ./parley must undo.
        String script = (sigintIgnored ? "trap '' INT; " : "") + "exec ./parley up";
        ProcessBuilder pb = new ProcessBuilder("setsid", "sh", "-c", script).directory(REPO.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PARLEY_") && !k.startsWith("PARLEY_ADMIN_"));
        env.put("PARLEY_HOME", home.toString());
        // ./parley runs `java` from the PATH: the JDK running this suite
        Path javaBin = Path.of(ProcessHandle.current().info().command().orElse("java")).getParent();
        if (javaBin != null) {
            env.put("PATH", javaBin + java.io.File.pathSeparator + env.getOrDefault("PATH", ""));
        }
        Process p = pb.start();
        started.add(p.toHandle());
        return new Launch(p, out);
    }

    private static void awaitOutput(Launch l, String marker, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            String text = l.text();
            if (text.contains(marker)) {
                return;
            }
            if (!l.process().isAlive()) {
                fail("the launcher exited (" + l.process().exitValue() + ") before '" + marker + "':\n" + tail(text));
            }
            Thread.sleep(250);
        }
        fail("no '" + marker + "' within " + within.toSeconds() + " s:\n" + tail(l.text()));
    }

    private static String tail(String text) {
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    /** Everything the launcher runs: its services (children) and PostgreSQL (detached by pg_ctl, so not a child). */
    private List<ProcessHandle> platformOf(Launch l, Path home) throws IOException {
        List<ProcessHandle> all = new ArrayList<>(l.process().descendants().toList());
        long pgPid = Long.parseLong(Files.readAllLines(home.resolve("pgdata").resolve("postmaster.pid")).get(0).trim());
        ProcessHandle.of(pgPid).ifPresent(all::add);
        started.addAll(all);
        assertTrue(all.size() >= 6, "five services and PostgreSQL: " + all.size());
        return all;
    }

    private static void signalGroup(long leader, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + leader).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " -" + leader);
    }

    private static void assertNothingLeft(Launch l, List<ProcessHandle> platform, Path home, String how) throws Exception {
        assertTrue(l.process().waitFor(60, TimeUnit.SECONDS), "the launcher ended after " + how + ":\n" + tail(l.text()));
        for (ProcessHandle p : platform) {
            try {
                p.onExit().get(15, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                fail("pid " + p.pid() + " (" + p.info().command().orElse("?") + ") still runs after " + how);
            }
        }
        assertFalse(Files.exists(home.resolve("pgdata").resolve("postmaster.pid")), "PostgreSQL stopped cleanly after " + how);
        for (int port : PORTS) {
            assertTrue(free(port), "port " + port + " is free after " + how);
        }
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterEach
    void killWhatIsLeft() {
        for (ProcessHandle p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void aGroupSigtermOrSigintLeavesNothingRunning() throws Exception {
        Path home = tmp.resolve("home-signals");
        for (String signal : List.of("INT", "TERM")) {
            Launch l = launch(home, "signal-" + signal, signal.equals("INT"));
            awaitOutput(l, "ready in", READY);
            List<ProcessHandle> platform = platformOf(l, home);
            if (signal.equals("TERM")) {
                protectionIsOnByDefault();
            }
            signalGroup(l.pid(), signal);
            assertNothingLeft(l, platform, home, "a group SIG" + signal);
            assertTrue(l.text().contains("stopped"), l.text());
        }
    }

    /**
     * ./parley up as shipped limits callers without a credential: through the ingress, refresh attempts from one
     * address are answered (401) up to 120 a minute, then refused with 429 RATE_LIMITED and Retry-After.
     */
    private static void protectionIsOnByDefault() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest refresh = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:8080/api/v1/auth/refresh"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"refresh_token\":\"not-a-real-token\"}")).build();
        int answered = 0;
        for (int i = 0; i < 400; i++) {
            java.net.http.HttpResponse<String> r = http.send(refresh, java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 429) {
                assertTrue(r.body().contains("\"RATE_LIMITED\""), r.body());
                assertTrue(r.headers().firstValue("Retry-After").isPresent());
                assertTrue(answered >= 120, "refused after " + answered + " answers, fewer than the 120 a minute");
                return;
            }
            assertEquals(401, r.statusCode(), r.body());
            answered++;
        }
        fail("no RATE_LIMITED among 400 refresh attempts from one address");
    }

    @Test
    void theNextStartStopsWhatASigkilledLauncherLeftAndRefusesAForeignPort() throws Exception {
        Path home = tmp.resolve("home-kill");
        Launch first = launch(home, "first", false);
        awaitOutput(first, "ready in", READY);
        List<ProcessHandle> leftovers = platformOf(first, home);
        first.process().destroyForcibly(); // SIGKILL to the launcher alone: nothing can clean up
        first.process().waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(500);
        assertTrue(leftovers.stream().allMatch(ProcessHandle::isAlive), "its services and PostgreSQL outlive it");
        assertFalse(free(54329));

        Launch second = launch(home, "second", false);
        awaitOutput(second, "ready in", READY);
        String said = second.text();
        assertTrue(said.contains("PostgreSQL (pid " + leftovers.get(leftovers.size() - 1).pid()), said);
        assertTrue(said.contains("left by an earlier launcher that could not stop it; stopping it"), said);
        assertTrue(said.contains("is still running from an earlier launcher of this data folder; stopping it"), said);
        for (ProcessHandle p : leftovers) {
            assertFalse(p.isAlive(), "leftover pid " + p.pid() + " was stopped");
        }
        List<ProcessHandle> platform = platformOf(second, home);
        signalGroup(second.pid(), "TERM");
        assertNothingLeft(second, platform, home, "a group SIGTERM of the second launcher");

        // A port held by something that is not this data folder's: refused, nothing started, nothing stopped.
        try (ServerSocket foreign = new ServerSocket()) {
            foreign.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 54329));
            Launch third = launch(home, "third", false);
            assertTrue(third.process().waitFor(60, TimeUnit.SECONDS), third.text());
            assertEquals(1, third.process().exitValue(), third.text());
            assertTrue(third.text().contains("port 54329 for PostgreSQL (PARLEY_PG_PORT) is already in use"), third.text());
            assertFalse(third.text().contains("starting PostgreSQL"), third.text());
            assertTrue(foreign.isBound());
        }
    }

    /** The operator's shell this launcher ran in (set by the pom), as the README tells operators to set it up. */
    @Test
    void theOperatorsAdminVariablesAreInThisRunsEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        assertTrue(env.containsKey("PARLEY_ADMIN_USERNAME") && env.containsKey("PARLEY_ADMIN_PASSWORD"),
                "e2e/pom.xml sets them for every e2e JVM, so that the suite proves it does not depend on them");
    }
}
