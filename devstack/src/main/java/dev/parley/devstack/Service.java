package dev.parley.devstack;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** One Parley service as the launcher runs it: its name (also its Kubernetes Service name), local port and database. */
public record Service(String name, int port, String database) {

    public static final Service AUTH = new Service("auth-service", 8081, "parley_auth");
    public static final Service SESSION = new Service("session-service", 8082, "parley_session");
    public static final Service GATEWAY = new Service("llm-gateway-service", 8083, "parley_gateway");
    public static final Service MEMORY = new Service("memory-service", 8084, "parley_memory");
    public static final Service USAGE = new Service("usage-service", 8085, "parley_usage");

    /** Every service, in start order. */
    public static final List<Service> ALL = List.of(AUTH, SESSION, GATEWAY, MEMORY, USAGE);

    public static Optional<Service> byName(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The runnable jar Quarkus builds for this service: {@code <repo>/<service>/target/quarkus-app/quarkus-run.jar}. */
    public Path runJar(Path repoRoot) {
        return repoRoot.resolve(name).resolve("target").resolve("quarkus-app").resolve("quarkus-run.jar");
    }
}
