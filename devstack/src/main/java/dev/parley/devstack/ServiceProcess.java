package dev.parley.devstack;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child process (a service). Its stdout and stderr go to its log file ({@code <PARLEY_HOME>/logs/<service>.log},
 * emptied on each start) and from there, line by line, to the launcher's output with the service's name in front. Its
 * stdin is closed at once: nothing reads from the terminal.
 */
final class ServiceProcess {

    private final String name;
    private final Process process;
    private final LogTail output;
    private volatile boolean stopping;

    private ServiceProcess(String name, Process process, LogTail output) {
        this.name = name;
        this.process = process;
        this.output = output;
        process.onExit().thenAccept(p -> {
            if (!stopping) {
                Console.info(name + " exited with code " + p.exitValue());
            }
        });
    }

    /** Variable prefixes that configure Parley and Quarkus: a child gets them from the launcher's environment only. */
    static final List<String> CONFIG_PREFIXES = List.of("PARLEY_", "QUARKUS_", "SMALLRYE_", "MP_");

    /**
     * A service's environment: the JVM's own ({@code inherited}: PATH, HOME, locale…) with every configuration variable
     * ({@link #CONFIG_PREFIXES}) taken from {@code launcher} instead, plus {@code extra}. For {@code ./parley up} both
     * are the process environment, so an operator's {@code QUARKUS_LOG_LEVEL=DEBUG} reaches the services; a launcher
     * run inside another program ({@link Platform}, the e2e suite) is given an environment without the caller's, so an
     * operator's {@code PARLEY_ADMIN_USERNAME} in the shell cannot change the platform a test starts.
     */
    static Map<String, String> childEnvironment(Map<String, String> inherited, Map<String, String> launcher,
                                                Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>();
        inherited.forEach((k, v) -> {
            if (!isConfig(k)) {
                env.put(k, v);
            }
        });
        launcher.forEach((k, v) -> {
            if (isConfig(k)) {
                env.put(k, v);
            }
        });
        env.putAll(extra);
        return env;
    }

    static boolean isConfig(String variable) {
        return CONFIG_PREFIXES.stream().anyMatch(variable::startsWith);
    }

    /**
     * Starts {@code command} in {@code workDir} with exactly {@code environment} (see {@link #childEnvironment}). Put
     * secrets in files, never in {@code command}: command lines are visible to every user of the machine.
     */
    static ServiceProcess start(String name, List<String> command, Map<String, String> environment, Path workDir, Path logFile) {
        return start(name, command, environment, workDir, logFile, false);
    }

    /** As above; {@code keepLog}: append to the log file (a restart) instead of emptying it. */
    static ServiceProcess start(String name, List<String> command, Map<String, String> environment, Path workDir, Path logFile,
                                boolean keepLog) {
        LogTail output = null;
        try {
            if (!keepLog || !java.nio.file.Files.exists(logFile)) {
                LogTail.createEmpty(logFile);
            }
            output = LogTail.start(logFile, name);
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            return new ServiceProcess(name, process, output);
        } catch (IOException e) {
            if (output != null) {
                output.close();
            }
            throw new LaunchException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code; only meaningful once {@link #isAlive()} is false. */
    int exitCode() {
        return process.exitValue();
    }

    /** Kills the process at once (SIGKILL), as a crash would; its in-flight requests and streams break. */
    void kill() {
        stopping = true;
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        output.close();
    }

    /** Asks the process to stop (SIGTERM; Quarkus shuts down gracefully). */
    void requestStop() {
        stopping = true;
        if (process.isAlive()) {
            process.destroy();
        }
    }

    /** Waits until {@code deadlineNanos} (System.nanoTime) for the process to end, then kills it and its children. */
    void awaitStop(long deadlineNanos) {
        stopping = true;
        try {
            long left = deadlineNanos - System.nanoTime();
            if (!process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                Console.info(name + " did not stop in time; killing it");
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        output.close();
    }
}
