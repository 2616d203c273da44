package dev.parley.devstack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code ./parley up}: PostgreSQL, the five services and the local ingress, until SIGINT or SIGTERM. Start order:
 * check everything that can be checked (routes, builds, free ports), secrets, PostgreSQL and its databases, the
 * services' config files, the services, the ingress; then wait until every service is ready. Stop order: ingress,
 * services (SIGTERM, then killed after 10 s), PostgreSQL last.
 */
public final class Launcher {

    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** How long a stop waits for the starting thread to finish (or abandon) the step it is in, e.g. PostgreSQL's start. */
    static final Duration STARTUP_STEP_WAIT = Duration.ofSeconds(90);

    private final Settings settings;
    /** The environment this launcher was started with: its PARLEY_ and QUARKUS_ variables are what the services get. */
    private final Map<String, String> environment;
    private final long startedAtMillis;
    private final List<ServiceProcess> processes = new CopyOnWriteArrayList<>();
    private final CountDownLatch startupReturned = new CountDownLatch(1);
    private PostgresRunner postgres;
    private Ingress ingress;
    private boolean stopping;
    /** Extra properties per service name, appended to its config file (the e2e suite's settings). */
    private Map<String, Map<String, String>> extraConfig = Map.of();
    private Map<Service, Path> configFiles = Map.of();

    Launcher(Settings settings, Map<String, String> environment, long startedAtMillis) {
        this.settings = settings;
        this.environment = Map.copyOf(environment);
        this.startedAtMillis = startedAtMillis;
    }

    public static void main(String[] args) {
        long started = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli)
                .orElse(System.currentTimeMillis());
        if (args.length > 0 && !args[0].equals("up")) {
            System.err.println("usage: java -jar devstack/target/devstack.jar   (or ./parley up)");
            System.exit(2);
        }
        Launcher launcher;
        try {
            launcher = new Launcher(Settings.from(System.getenv(), Settings.findRepoRoot()), System.getenv(), started);
        } catch (LaunchException e) {
            Console.info("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::stop, "parley-shutdown"));
        try {
            launcher.up();
        } catch (LaunchException e) {
            if (launcher.isStopping()) {
                return; // a consequence of the stop a signal started
            }
            Console.info("error: " + e.getMessage());
            launcher.stop();
            System.exit(1);
        } catch (Stopping e) {
            return; // a signal arrived during startup; the shutdown hook is stopping everything
        } catch (Exception e) {
            Console.info("error: " + e);
            e.printStackTrace(System.out);
            launcher.stop();
            System.exit(1);
        }
        try {
            new CountDownLatch(1).await(); // until a signal; the shutdown hook does the rest
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts everything and returns once every service is ready. */
    void up() throws IOException, InterruptedException {
        try {
            start();
        } finally {
            startupReturned.countDown();
        }
    }

    private void start() throws IOException, InterruptedException {
        Console.info("data folder " + settings.home());
        IngressRoutes routes = IngressRoutes.load(settings.repoRoot().resolve("k8s").resolve("ingress.yaml"));
        checkRoutesMatchServices(routes);
        checkBuilds();
        stopLeftovers();
        checkPortsFree();

        Path home = PrivateFiles.directory(settings.home());
        Secrets secrets = Secrets.loadOrCreate(home.resolve("secrets"));

        PostgresRunner pg = settings.externalPg().map(PostgresRunner::external)
                .orElseGet(() -> PostgresRunner.startEmbedded(home.resolve("pgdata"), home.resolve("logs").resolve("postgres.log"),
                        settings.pgPort()));
        register(() -> postgres = pg, pg::close);
        pg.createDatabases(Service.ALL.stream().map(Service::database).toList());

        Map<Service, Path> configs = ServiceConfigs.writeAll(home.resolve("config"), pg.server(), secrets);
        for (Service service : Service.ALL) {
            Map<String, String> extra = extraConfig.getOrDefault(service.name(), Map.of());
            if (!extra.isEmpty()) {
                StringBuilder lines = new StringBuilder("\n# added by the launcher's caller\n");
                extra.forEach((k, v) -> lines.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
                Files.writeString(configs.get(service), lines.toString(), java.nio.file.StandardOpenOption.APPEND);
            }
        }
        configFiles = configs;
        for (Service service : Service.ALL) {
            Console.info("starting " + service.name() + " on " + ServiceConfigs.url(service));
            ServiceProcess process = launch(service, false);
            register(() -> processes.add(process), () -> stopProcesses(List.of(process)));
        }

        Map<String, Integer> ports = new LinkedHashMap<>();
        Service.ALL.forEach(s -> ports.put(s.name(), s.port()));
        Ingress started = new Ingress(routes, ports, ServiceConfigs.LOOPBACK, settings.bindHost(), settings.ingressPort());
        register(() -> ingress = started, started::close);
        started.start();
        Console.info("ingress listening on " + settings.bindHost() + ":" + settings.ingressPort() + " (routes from k8s/ingress.yaml)");

        awaitReady();
        printBanner();
    }

    private ServiceProcess launch(Service service, boolean keepLog) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return ServiceProcess.start(service.name(), serviceCommand(java, service.runJar(settings.repoRoot()), environment),
                ServiceProcess.childEnvironment(System.getenv(), environment,
                        Map.of("QUARKUS_CONFIG_LOCATIONS", configFiles.get(service).toString())),
                service.runJar(settings.repoRoot()).getParent(),
                settings.home().resolve("logs").resolve(service.name() + ".log"), keepLog);
    }

    void setExtraConfig(Map<String, Map<String, String>> extra) {
        this.extraConfig = Map.copyOf(extra);
    }

    /**
     * Stops one service: SIGTERM and a graceful drain, or (kill) SIGKILL at once, as a crash. A graceful stop first
     * holds the service's new requests at the ingress (they wait for its restart, as a rolling update's would go to
     * another replica), so only what it was already serving sees the stop.
     */
    void stopService(Service service, boolean kill) {
        int i = Service.ALL.indexOf(service);
        ServiceProcess process = processes.get(i);
        if (kill) {
            process.kill();
        } else {
            ingress.hold(service.name());
            process.requestStop();
            process.awaitStop(System.nanoTime() + STOP_GRACE.toNanos());
        }
        Console.info(service.name() + (kill ? " killed" : " stopped"));
    }

    /** Stops the embedded PostgreSQL (the services stay up and must cope) and starts it again on the same data. */
    void restartPostgres(Duration down) throws InterruptedException {
        PostgresRunner pg = postgres;
        pg.close();
        Console.info("PostgreSQL stopped");
        Thread.sleep(down.toMillis());
        PostgresRunner started = PostgresRunner.startEmbedded(settings.home().resolve("pgdata"), settings.home().resolve("logs")
                .resolve("postgres.log"), settings.pgPort(), true);
        synchronized (this) {
            postgres = started;
        }
        Console.info("PostgreSQL started again");
    }

    /** Starts one service again (after {@link #stopService}) and waits until it is ready; its log is appended to. */
    void restartService(Service service) throws InterruptedException {
        int i = Service.ALL.indexOf(service);
        if (processes.get(i).isAlive()) {
            throw new IllegalStateException(service.name() + " is running");
        }
        ServiceProcess process = launch(service, true);
        processes.set(i, process);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(settings.startupTimeoutSec()).toNanos();
        while (!isReady(http, service)) {
            if (!process.isAlive()) {
                throw new LaunchException(service.name() + " exited with code " + process.exitCode() + " on restart");
            }
            if (System.nanoTime() > deadline) {
                throw new LaunchException(service.name() + " not ready after restart");
            }
            Thread.sleep(200);
        }
        ingress.release(service.name());
        Console.info(service.name() + " restarted and ready");
    }

    Settings settings() {
        return settings;
    }

    synchronized boolean isStopping() {
        return stopping;
    }

    /** Stops everything that was started, in order; safe to call more than once and from any thread. */
    void stop() {
        Ingress ingressToStop;
        List<ServiceProcess> toStop;
        PostgresRunner pgToStop;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        // A signal during startup: let the starting thread finish or abandon its step (it closes what it starts from
        // now on), so that nothing it is starting escapes the stop, e.g. a PostgreSQL that is coming up.
        try {
            if (!startupReturned.await(STARTUP_STEP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                Console.info("startup did not return; stopping what is known");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            ingressToStop = ingress;
            toStop = new ArrayList<>(processes);
            pgToStop = postgres;
        }
        if (ingressToStop != null || !toStop.isEmpty() || pgToStop != null) {
            Console.info("stopping");
        }
        if (ingressToStop != null) {
            ingressToStop.close();
        }
        stopProcesses(toStop);
        if (pgToStop != null) {
            pgToStop.close();
        }
        Console.info("stopped");
    }

    private static void stopProcesses(List<ServiceProcess> toStop) {
        toStop.forEach(ServiceProcess::requestStop);
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        toStop.forEach(p -> p.awaitStop(deadline));
    }

    /** Records a started component, unless a stop began meanwhile: then the component is closed at once. */
    private void register(Runnable record, Runnable close) {
        synchronized (this) {
            if (!stopping) {
                record.run();
                return;
            }
        }
        close.run();
        throw new Stopping();
    }

    private void checkRoutesMatchServices(IngressRoutes routes) {
        Set<String> unknown = routes.routes().stream().map(IngressRoutes.Route::service)
                .filter(name -> Service.byName(name).isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
        if (!unknown.isEmpty()) {
            throw new LaunchException("k8s/ingress.yaml routes to unknown services " + unknown + "; known: "
                    + Service.ALL.stream().map(Service::name).toList());
        }
    }

    private void checkBuilds() {
        List<String> missing = Service.ALL.stream().map(s -> s.runJar(settings.repoRoot()))
                .filter(jar -> !Files.isRegularFile(jar)).map(jar -> settings.repoRoot().relativize(jar).toString()).toList();
        if (!missing.isEmpty()) {
            throw new LaunchException("not built: " + String.join(", ", missing)
                    + ". Run ./mvnw package -DskipTests first (./parley up does it when a build is missing).");
        }
    }

    /**
     * What an earlier launcher of this checkout and data folder could not stop (it was SIGKILLed): its services, then
     * its embedded PostgreSQL. Each is stopped, saying so; whatever else holds a port is refused by the port check.
     */
    private void stopLeftovers() {
        for (Service service : Service.ALL) {
            Leftovers.stopServiceOf(service, settings.repoRoot(), settings.home());
        }
        if (settings.externalPg().isEmpty()) {
            Leftovers.stopPostgresOn(settings.home().resolve("pgdata"));
        }
    }

    private void checkPortsFree() {
        Map<Integer, String> wanted = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> hosts = new LinkedHashMap<>();
        for (Service service : Service.ALL) {
            claim(wanted, problems, service.port(), service.name());
            hosts.put(service.name(), ServiceConfigs.LOOPBACK);
        }
        if (settings.externalPg().isEmpty()) {
            claim(wanted, problems, settings.pgPort(), "PostgreSQL (PARLEY_PG_PORT)");
            hosts.put("PostgreSQL (PARLEY_PG_PORT)", ServiceConfigs.LOOPBACK);
        }
        claim(wanted, problems, settings.ingressPort(), "the ingress (PARLEY_INGRESS_PORT)");
        hosts.put("the ingress (PARLEY_INGRESS_PORT)", settings.bindHost());
        if (!problems.isEmpty()) {
            throw new LaunchException(String.join("; ", problems));
        }
        wanted.forEach((port, user) -> {
            if (!isFree(hosts.get(user), port)) {
                problems.add("port " + port + " for " + user + " is already in use" + holderHint(port));
            }
        });
        if (!problems.isEmpty()) {
            throw new LaunchException(String.join("; ", problems)
                    + ". Stop whatever uses it (a previous ./parley up?) or choose another port.");
        }
    }

    private static void claim(Map<Integer, String> wanted, List<String> problems, int port, String user) {
        String previous = wanted.putIfAbsent(port, user);
        if (previous != null) {
            problems.add("port " + port + " is configured for both " + previous + " and " + user);
        }
    }

    static boolean isFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Names a leftover Parley service process holding a port, if that is what it is. Services run
     * {@code -jar quarkus-run.jar} from their {@code quarkus-app} folder, so the process is recognised by that jar name
     * and its working directory (Linux {@code /proc}), or by the jar's absolute path when started otherwise.
     */
    private String holderHint(int port) {
        return Service.ALL.stream().filter(s -> s.port() == port).findFirst()
                .map(s -> s.runJar(settings.repoRoot()))
                .flatMap(jar -> ProcessHandle.allProcesses()
                        .filter(p -> p.info().commandLine().map(c -> c.contains(jar.toString())
                                || (c.contains(jar.getFileName().toString()) && Leftovers.runsIn(p, jar.getParent()))).orElse(false))
                        .findFirst())
                .map(p -> " (by pid " + p.pid() + ", a Parley service of another data folder; kill " + p.pid() + ")")
                .orElse("");
    }


    private void awaitReady() throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(settings.startupTimeoutSec()).toNanos();
        Map<Service, ServiceProcess> pending = new LinkedHashMap<>();
        for (int i = 0; i < Service.ALL.size(); i++) {
            pending.put(Service.ALL.get(i), processes.get(i));
        }
        while (!pending.isEmpty()) {
            synchronized (this) {
                if (stopping) {
                    throw new Stopping();
                }
            }
            for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                Service service = entry.getKey();
                if (!entry.getValue().isAlive()) {
                    entry.getValue().awaitStop(System.nanoTime()); // echoes its last lines first
                    throw new LaunchException(service.name() + " exited with code " + entry.getValue().exitCode()
                            + " before it was ready; its output is above (lines starting '" + service.name() + "')");
                }
                if (isReady(http, service)) {
                    Console.info(service.name() + " is ready");
                    it.remove();
                }
            }
            if (pending.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new LaunchException("not ready after " + settings.startupTimeoutSec() + " s: "
                        + pending.keySet().stream().map(s -> s.name() + " (" + healthUrl(s) + ")").collect(Collectors.joining(", "))
                        + ". Set PARLEY_STARTUP_TIMEOUT to wait longer.");
            }
            Thread.sleep(500);
        }
    }

    private static boolean isReady(HttpClient http, Service service) throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(healthUrl(service))).timeout(Duration.ofSeconds(2)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static String healthUrl(Service service) {
        return ServiceConfigs.url(service) + "/q/health/ready";
    }

    private void printBanner() {
        String ingressUrl = "http://" + settings.ingressHost() + ":" + settings.ingressPort();
        Console.info("");
        Console.info("Parley is up. Ingress (the public API, routed like k8s/ingress.yaml): " + ingressUrl);
        for (Service service : Service.ALL) {
            Console.info(String.format(Locale.ROOT, "  %-20s %s/q/swagger-ui", service.name(), ServiceConfigs.url(service)));
        }
        Console.info("Try: curl -s -X POST localhost:" + settings.ingressPort() + "/api/v1/auth/register"
                + " -H 'Content-Type: application/json' -d '{\"username\":\"alice\",\"password\":\"correct-horse-battery\"}'");
        double seconds = (System.currentTimeMillis() - startedAtMillis) / 1000.0;
        Console.info(String.format(Locale.ROOT, "ready in %.1f s. Ctrl-C stops everything.", seconds));
    }

    /** Thrown on the starting thread when a stop began while it was starting things. */
    private static final class Stopping extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopping() {
            super(null, null, false, false);
        }
    }

    /**
     * The JVM command of one service. Five JVMs start at once on as few as two cores, so startup is CPU-bound:
     * C1-only JIT and the serial GC cut the startup CPU, and the AppCDS archive that the build leaves next to the
     * jar (when present; the service runs in the jar's folder) skips class loading and verification. {@code PARLEY_JAVA_OPTS} replaces the tuning flags.
     */
    static List<String> serviceCommand(String javaBin, Path runJar, Map<String, String> environment) {
        List<String> command = new java.util.ArrayList<>();
        command.add(javaBin);
        String opts = environment.get("PARLEY_JAVA_OPTS");
        if (opts != null && !opts.isBlank()) {
            command.addAll(List.of(opts.trim().split("\\s+")));
        } else {
            command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        }
        // Run from the jar's folder with relative paths: the archive records the class path as the build saw it.
        if (java.nio.file.Files.isRegularFile(runJar.resolveSibling("app-cds.jsa"))) {
            command.add("-XX:SharedArchiveFile=app-cds.jsa");
            command.add("-Xshare:auto");
        }
        command.add("-jar");
        command.add(runJar.getFileName().toString());
        return command;
    }
}
