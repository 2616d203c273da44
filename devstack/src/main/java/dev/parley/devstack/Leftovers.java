package dev.parley.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What an earlier launcher of this checkout and data folder left running because it could not clean up (it was
 * SIGKILLed, or its machine's supervisor gave up waiting): its embedded PostgreSQL, which runs in a session of its own
 * (pg_ctl detaches it), and services whose launcher died alone. They are recognised, never guessed: PostgreSQL by the
 * {@code postmaster.pid} of this data folder naming a live {@code postgres} process, a service by its jar in this
 * checkout and its config file in this data folder. Anything else holding a port is left alone (the launcher refuses
 * to start and says which port).
 */
final class Leftovers {
    static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private Leftovers() {
    }

    /** A live PostgreSQL serving {@code dataDir}, from its {@code postmaster.pid} (pid, data directory, port). */
    record Postmaster(ProcessHandle process, Path dataDir, int port) { }

    static Optional<Postmaster> postgresOn(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.size() < 4) {
            return Optional.empty();
        }
        long pid;
        int port;
        try {
            pid = Long.parseLong(lines.get(0).trim());
            port = Integer.parseInt(lines.get(3).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().equals("postgres")).orElse(false));
        if (process.isEmpty() || !sameFile(Path.of(lines.get(1).trim()), dataDir)) {
            return Optional.empty(); // a stale file (PostgreSQL replaces it when it starts) or someone else's server
        }
        return Optional.of(new Postmaster(process.get(), dataDir, port));
    }

    /**
     * Stops a PostgreSQL left running on this data folder, saying so: {@code pg_ctl stop -m fast} from the server's
     * own binaries (its clients, leftovers too, are disconnected), else SIGINT (PostgreSQL's fast shutdown).
     *
     * @return whether one was found (and is stopped now)
     */
    static boolean stopPostgresOn(Path dataDir) {
        Optional<Postmaster> found = postgresOn(dataDir);
        if (found.isEmpty()) {
            return false;
        }
        Postmaster pm = found.get();
        Console.info("PostgreSQL (pid " + pm.process().pid() + ", port " + pm.port() + ") is still running on " + dataDir
                + ", left by an earlier launcher that could not stop it; stopping it");
        Path pgCtl = pm.process().info().command().map(c -> Path.of(c).resolveSibling("pg_ctl")).orElse(null);
        boolean asked = false;
        if (pgCtl != null && Files.isExecutable(pgCtl)) {
            asked = run(List.of(pgCtl.toString(), "stop", "-D", dataDir.toString(), "-m", "fast", "-w", "-t",
                    Long.toString(STOP_WAIT.toSeconds())));
        }
        if (!asked) {
            run(List.of("kill", "-INT", Long.toString(pm.process().pid())));
        }
        if (!waitFor(pm.process())) {
            throw new LaunchException("the PostgreSQL left running on " + dataDir + " (pid " + pm.process().pid()
                    + ") did not stop within " + STOP_WAIT.toSeconds() + " s; stop it (kill " + pm.process().pid() + ")");
        }
        Console.info("stopped the leftover PostgreSQL");
        return true;
    }

    /**
     * A process running {@code service} from this checkout with its config file in this data folder: one that an
     * earlier launcher with the same {@code PARLEY_HOME} started and did not stop.
     */
    static Optional<ProcessHandle> serviceOf(Service service, Path repoRoot, Path home) {
        Path jar = service.runJar(repoRoot);
        Path config = home.resolve("config").resolve(service.name() + ".properties");
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().commandLine().map(c -> c.contains(jar.toString())
                        || (c.contains(jar.getFileName().toString()) && runsIn(p, jar.getParent()))).orElse(false))
                .filter(p -> configOf(p).map(c -> sameFile(Path.of(c), config)).orElse(false))
                .findFirst();
    }

    /** Stops a service left running by an earlier launcher of this data folder, saying so. */
    static boolean stopServiceOf(Service service, Path repoRoot, Path home) {
        Optional<ProcessHandle> found = serviceOf(service, repoRoot, home);
        if (found.isEmpty()) {
            return false;
        }
        ProcessHandle p = found.get();
        Console.info(service.name() + " (pid " + p.pid() + ") is still running from an earlier launcher of this data folder; stopping it");
        p.destroy();
        if (!waitFor(p)) {
            p.destroyForcibly();
            waitFor(p);
        }
        return true;
    }

    /** {@code QUARKUS_CONFIG_LOCATIONS} of a process (Linux /proc; same user only). */
    private static Optional<String> configOf(ProcessHandle p) {
        try {
            byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
            for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
                if (entry.startsWith("QUARKUS_CONFIG_LOCATIONS=")) {
                    return Optional.of(entry.substring("QUARKUS_CONFIG_LOCATIONS=".length()));
                }
            }
        } catch (IOException | SecurityException e) {
            // not ours to read, or not Linux: not recognised
        }
        return Optional.empty();
    }

    static boolean runsIn(ProcessHandle process, Path dir) {
        try {
            return Files.isSameFile(Path.of("/proc", Long.toString(process.pid()), "cwd"), dir);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    private static boolean waitFor(ProcessHandle p) {
        try {
            p.onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static boolean run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
            return process.waitFor(STOP_WAIT.toSeconds() + 5, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
