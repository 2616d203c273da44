package dev.parley.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the launcher reads from the environment, with defaults. {@link #toString()} leaves the PostgreSQL password out.
 *
 * @param repoRoot          the Parley checkout (holds {@code k8s/ingress.yaml} and the services' builds)
 * @param home              {@code PARLEY_HOME}, default {@code <repo>/.parley}
 * @param pgPort            {@code PARLEY_PG_PORT}, default 54329 (embedded PostgreSQL only)
 * @param externalPg        from {@code PARLEY_PG_URL}/{@code PARLEY_PG_USER}/{@code PARLEY_PG_PASSWORD}, if set
 * @param ingressPort       {@code PARLEY_INGRESS_PORT}, default 8080
 * @param bindHost          {@code PARLEY_BIND}, default 127.0.0.1: the ingress' address (services stay on loopback)
 * @param startupTimeoutSec {@code PARLEY_STARTUP_TIMEOUT}, default 120
 */
public record Settings(Path repoRoot, Path home, int pgPort, Optional<PgServer> externalPg, int ingressPort,
                       String bindHost, int startupTimeoutSec) {

    public static final int DEFAULT_PG_PORT = 54329;
    public static final int DEFAULT_INGRESS_PORT = 8080;
    public static final int DEFAULT_STARTUP_TIMEOUT = 120;

    static Settings from(Map<String, String> env, Path repoRoot) {
        Path home = Optional.ofNullable(blankToNull(env.get("PARLEY_HOME"))).map(Path::of)
                .orElse(repoRoot.resolve(".parley")).toAbsolutePath().normalize();
        Optional<PgServer> external = Optional.ofNullable(blankToNull(env.get("PARLEY_PG_URL")))
                .map(url -> PgServer.external(url, env.get("PARLEY_PG_USER"), env.get("PARLEY_PG_PASSWORD")));
        String bind = Optional.ofNullable(blankToNull(env.get("PARLEY_BIND"))).orElse(ServiceConfigs.LOOPBACK);
        return new Settings(repoRoot, home,
                port(env, "PARLEY_PG_PORT", DEFAULT_PG_PORT),
                external,
                port(env, "PARLEY_INGRESS_PORT", DEFAULT_INGRESS_PORT),
                bind,
                positive(env, "PARLEY_STARTUP_TIMEOUT", DEFAULT_STARTUP_TIMEOUT));
    }

    /**
     * The checkout this launcher belongs to: three levels above {@code devstack/target/devstack.jar} (or
     * {@code devstack/target/classes}), else the working directory; it must contain {@code k8s/ingress.yaml}.
     */
    static Path findRepoRoot() {
        try {
            Path code = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path candidate = code.getParent() == null ? null : code.getParent().getParent();
            candidate = candidate == null ? null : candidate.getParent();
            if (candidate != null && Files.isRegularFile(candidate.resolve("k8s").resolve("ingress.yaml"))) {
                return candidate.toAbsolutePath().normalize();
            }
        } catch (Exception e) {
            // fall through to the working directory
        }
        Path cwd = Path.of("").toAbsolutePath().normalize();
        if (Files.isRegularFile(cwd.resolve("k8s").resolve("ingress.yaml"))) {
            return cwd;
        }
        throw new LaunchException("cannot find the Parley checkout (no k8s/ingress.yaml next to the launcher or in "
                + cwd + "); start it with ./parley up from the repository");
    }

    /** The address clients use to reach the ingress (a wildcard bind is reached on loopback). */
    String ingressHost() {
        return bindHost.equals("0.0.0.0") || bindHost.equals("::") || bindHost.equals("[::]") ? ServiceConfigs.LOOPBACK : bindHost;
    }

    @Override
    public String toString() {
        return "Settings[repo " + repoRoot + ", home " + home + ", postgres "
                + externalPg.map(PgServer::toString).orElse("embedded on " + pgPort) + ", ingress " + bindHost + ":"
                + ingressPort + "]";
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        int value = positive(env, name, fallback);
        if (value > 65535) {
            throw new LaunchException(name + " must be a port number (1-65535), not " + value);
        }
        return value;
    }

    private static int positive(Map<String, String> env, String name, int fallback) {
        String raw = blankToNull(env.get(name));
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value <= 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new LaunchException(name + " must be a positive whole number, not '" + raw + "'");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
