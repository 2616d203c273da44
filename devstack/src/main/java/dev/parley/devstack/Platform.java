package dev.parley.devstack;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole platform as {@code ./parley up} runs it (PostgreSQL, the five services from their built jars, the local
 * ingress, on the usual ports), for a program rather than a terminal: the e2e suite. It refuses to start, with the
 * launcher's message, when another platform holds the ports. Services can be stopped, killed and restarted one by
 * one (fault injection); the services' output goes to their log files only.
 */
public final class Platform implements AutoCloseable {
    private final Launcher launcher;

    private Platform(Launcher launcher) {
        this.launcher = launcher;
    }

    /**
     * Starts everything from the checkout at {@code repoRoot} (its built jars, its k8s/ingress.yaml) with the data
     * folder {@code home} (created; reused if it exists) and {@code extraConfig} (service name → properties added to
     * its config), and returns once every service is ready.
     *
     * @throws IllegalStateException with the launcher's message when it cannot start (ports in use, jars not built…)
     */
    public static Platform start(Path repoRoot, Path home, Map<String, Map<String, String>> extraConfig)
            throws IOException, InterruptedException {
        Map<String, String> env = environment(System.getenv(), home);
        Console.launcherOnly = true;
        Launcher launcher = new Launcher(Settings.from(env, repoRoot.toAbsolutePath().normalize()), env,
                System.currentTimeMillis());
        launcher.setExtraConfig(extraConfig);
        try {
            launcher.up();
        } catch (LaunchException e) {
            launcher.stop();
            throw new IllegalStateException("the platform did not start: " + e.getMessage(), e);
        } catch (RuntimeException | IOException | InterruptedException e) {
            launcher.stop();
            throw e;
        }
        return new Platform(launcher);
    }

    /**
     * The launcher's environment: the caller's without any configuration variable (PARLEY_, QUARKUS_, …), so that
     * what a program starts does not depend on the shell it runs in (an operator's {@code PARLEY_ADMIN_USERNAME},
     * {@code PARLEY_PG_URL} or {@code QUARKUS_*} would otherwise reach the platform); everything it sets is explicit.
     */
    static Map<String, String> environment(Map<String, String> caller, Path home) {
        Map<String, String> env = new HashMap<>();
        caller.forEach((k, v) -> {
            if (!ServiceProcess.isConfig(k)) {
                env.put(k, v);
            }
        });
        env.put("PARLEY_HOME", home.toAbsolutePath().toString());
        return env;
    }

    public String ingressUrl() {
        return "http://127.0.0.1:" + launcher.settings().ingressPort();
    }

    /** A service's own URL (health, metrics, OpenAPI, /internal), e.g. {@code http://127.0.0.1:8081}. */
    public String serviceUrl(String service) {
        return ServiceConfigs.url(service(service));
    }

    public Path home() {
        return launcher.settings().home();
    }

    /** Where each service's output goes: {@code <home>/logs/<service>.log} (appended to across restarts). */
    public Path logs() {
        return home().resolve("logs");
    }

    /** The JDBC URL of one service's database (PostgreSQL user postgres, no password, loopback only). */
    public String jdbcUrl(String service) {
        return "jdbc:postgresql://127.0.0.1:" + launcher.settings().pgPort() + "/" + service(service).database();
    }

    /** SIGTERM and a graceful drain. */
    public void stopService(String service) {
        launcher.stopService(service(service), false);
    }

    /** SIGKILL: a crash; in-flight requests and streams break. */
    public void killService(String service) {
        launcher.stopService(service(service), true);
    }

    /** Starts a stopped or killed service again and waits until it is ready. */
    public void restartService(String service) throws InterruptedException {
        launcher.restartService(service(service));
    }

    /** Stops PostgreSQL under the running services for {@code downSeconds}, then starts it again on the same data. */
    public void restartPostgres(int downSeconds) throws InterruptedException {
        launcher.restartPostgres(java.time.Duration.ofSeconds(downSeconds));
    }

    @Override
    public void close() {
        launcher.stop();
    }

    private static Service service(String name) {
        return Service.byName(name).orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }
}
