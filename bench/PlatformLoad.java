import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whole-platform load through the ingress with parley/echo (bench/platform-load.sh starts the platform and runs this
 * single-file program, JDK only): stateful turns (session-service with memory context retrieval, the gateway, usage
 * metered through the relay) by N concurrent users, then each hop on its own, then each service's RSS. Prints a
 * Markdown report on stdout.
 *
 *   java bench/PlatformLoad.java <ingress url> <PARLEY_HOME> <levels, e.g. 16,64> <seconds per level>
 */
public class PlatformLoad {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern ACCESS = Pattern.compile("\"access_token\":\"([^\"]+)\"");
    static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    static final Pattern KEY = Pattern.compile("\"key\":\"([^\"]+)\"");
    static final Pattern RESPONSE_MS = Pattern.compile("\"assistant_message\":\\{.*?\"response_time_ms\":(\\d+)");
    static final Pattern REQUESTS = Pattern.compile("\"requests\":(\\d+)"); // the first: the top-level total

    record User(String token, String accessKey) { }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        Path home = Path.of(args[1]);
        List<Integer> levels = new ArrayList<>();
        for (String l : args[2].split(",")) {
            levels.add(Integer.parseInt(l.strip()));
        }
        int seconds = Integer.parseInt(args[3]);
        int maxUsers = Collections.max(levels);
        StringBuilder report = new StringBuilder();

        System.err.println("==> registering " + maxUsers + " users, 20 memories each");
        List<User> users = new ArrayList<>();
        for (int i = 0; i < maxUsers; i++) {
            String name = "load" + i + "-" + Long.toHexString(System.nanoTime());
            String reg = send("POST", base + "/api/v1/auth/register", null,
                    "{\"username\":\"" + name + "\",\"password\":\"correct-horse-battery\"}").body();
            String token = first(ACCESS, reg);
            String key = first(KEY, send("POST", base + "/api/v1/access-keys", token, "{\"name\":\"load\"}").body());
            for (int m = 0; m < 20; m++) {
                send("POST", base + "/api/v1/memories", token, "{\"content\":\"Load user " + i + " fact " + m
                        + ": likes " + (m % 2 == 0 ? "tea" : "coffee") + " with " + m + " sugars\"}");
            }
            users.add(new User(token, key));
        }

        report.append("## Stateful turns through the ingress (parley/echo, memory context on, usage metered)\n\n")
                .append("Each virtual user posts turns to its own session (a new session every 25 turns), one after another, for ")
                .append(seconds).append(" s after a 5 s warm-up.\n\n")
                .append("| concurrent users | turns | turns/s | p50 ms | p90 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|\n");
        long totalTurns = 0;
        for (int level : levels) {
            Result r = turns(base, users.subList(0, level), seconds);
            totalTurns += r.allTurns;
            report.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f | %.1f | %d |%n", level, r.latencies.size(),
                    r.latencies.size() / (double) seconds, pct(r.latencies, 50), pct(r.latencies, 90), pct(r.latencies, 99), r.errors));
            System.err.println("==> " + level + " users: " + r.latencies.size() / (double) seconds + " turns/s");
        }

        // every turn metered: the users' usage adds up to the turns made (the relay delivers asynchronously)
        long metered = 0;
        for (int attempt = 0; attempt < 60; attempt++) {
            metered = 0;
            for (User u : users) {
                Matcher m = REQUESTS.matcher(send("GET", base + "/api/v1/usage/cost-estimation", u.token(), null).body());
                metered += m.find() ? Long.parseLong(m.group(1)) : 0;
            }
            if (metered >= totalTurns) {
                break;
            }
            Thread.sleep(1000);
        }
        report.append("\nUsage: ").append(metered).append(" calls metered for ").append(totalTurns)
                .append(" turns made (warm-up included) once the relay caught up.\n");

        report.append("\n## The cost of each hop (one client, 300 calls each after 50 warm-up)\n\n| hop | measured as | p50 ms | p99 ms |\n|---|---|---|---|\n");
        User u = users.get(0);
        String[] session = {null};
        int[] turnsInSession = {0};
        List<Double> viaIngress = timed(() -> send("GET", base + "/api/v1/sessions?limit=1", u.token(), null));
        List<Double> direct = timed(() -> send("GET", "http://127.0.0.1:8082/api/v1/sessions?limit=1", u.token(), null));
        report.append(row("ingress", "GET /api/v1/sessions through the ingress", viaIngress));
        report.append(row("", "the same straight to session-service (difference: the ingress)", direct));
        report.append(row("gateway", "POST /v1/chat/completions parley/echo straight to the gateway (access key)", timed(() -> send("POST",
                "http://127.0.0.1:8083/v1/chat/completions", u.accessKey(),
                "{\"model\":\"parley/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}"))));
        report.append(row("memory", "POST /api/v1/memories/search straight to memory-service (what a turn's context costs)",
                timed(() -> send("POST", "http://127.0.0.1:8084/api/v1/memories/search", u.token(), "{\"query\":\"which tea do I like\"}"))));
        List<Double> gatewayShare = new ArrayList<>();
        List<Double> turn = timed(() -> {
            // a fresh session every 25 turns, as in the load: parley/echo's 1M-token window sends the whole history
            if (session[0] == null || turnsInSession[0]++ % 25 == 0) {
                session[0] = first(ID, send("POST", base + "/api/v1/sessions", u.token(), "{\"model\":\"parley/echo\"}").body());
            }
            HttpResponse<String> r = send("POST", base + "/api/v1/sessions/" + session[0] + "/messages", u.token(),
                    "{\"content\":\"what do I like to drink\"}");
            Matcher m = RESPONSE_MS.matcher(r.body());
            if (m.find()) {
                synchronized (gatewayShare) {
                    gatewayShare.add(Double.parseDouble(m.group(1)));
                }
            }
            return r;
        });
        report.append(row("session turn", "POST a turn through the ingress, whole (memory AUTO, sessions of up to 25 turns)", turn));
        report.append(row("", "of which the gateway call as session-service saw it (response_time_ms)", gatewayShare));
        report.append("\nusage-service is off the request path: the gateway's outbox and relay deliver the events (see the usage line above).\n");

        report.append("\n## Memory (RSS after the load) and startup of each service\n\n| service | RSS MiB | started in (its own log) |\n|---|---|---|\n");
        for (String service : List.of("auth-service", "session-service", "llm-gateway-service", "memory-service", "usage-service")) {
            report.append("| ").append(service).append(" | ").append(rss(service)).append(" | ").append(started(home, service)).append(" |\n");
        }
        System.out.print(report);
    }

    record Result(List<Double> latencies, long errors, long allTurns) { }

    static Result turns(String base, List<User> users, int seconds) throws InterruptedException {
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        AtomicLong all = new AtomicLong();
        long warmEnd = System.nanoTime() + 5_000_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        CountDownLatch done = new CountDownLatch(users.size());
        for (User user : users) {
            new Thread(() -> {
                try {
                    String session = null;
                    int n = 0;
                    while (System.nanoTime() < end) {
                        if (session == null || n++ % 25 == 0) {
                            session = first(ID, send("POST", base + "/api/v1/sessions", user.token(), "{\"model\":\"parley/echo\"}").body());
                        }
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = send("POST", base + "/api/v1/sessions/" + session + "/messages", user.token(),
                                "{\"content\":\"Tell me again which tea I like, turn " + n + "\"}");
                        long t1 = System.nanoTime();
                        all.incrementAndGet();
                        if (t0 >= warmEnd && t1 <= end) {
                            if (r.statusCode() == 201) {
                                latencies.add((t1 - t0) / 1e6);
                            } else {
                                errors.incrementAndGet();
                            }
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                } finally {
                    done.countDown();
                }
            }).start();
        }
        done.await();
        return new Result(new ArrayList<>(latencies), errors.get(), all.get());
    }

    interface Call {
        HttpResponse<String> run() throws Exception;
    }

    static List<Double> timed(Call call) throws Exception {
        for (int i = 0; i < 50; i++) {
            call.run();
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = call.run();
            if (r.statusCode() >= 300) {
                throw new IllegalStateException("answered " + r.statusCode() + ": " + r.body());
            }
            out.add((System.nanoTime() - t0) / 1e6);
        }
        return out;
    }

    static String row(String hop, String what, List<Double> ms) {
        return String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f |%n", hop, what, pct(ms, 50), pct(ms, 99));
    }

    static double pct(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(sorted.size() * p / 100.0) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }

    static HttpResponse<String> send(String method, String url, String bearer, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(p + " not in " + text);
        }
        return m.group(1);
    }

    /** The RSS of the service's JVM: the java process running quarkus-run.jar in the service's folder. */
    static String rss(String service) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("quarkus-run.jar")).orElse(false))
                .filter(p -> {
                    try {
                        return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).toString()
                                .contains("/" + service + "/target/quarkus-app");
                    } catch (Exception e) {
                        return false;
                    }
                })
                .findFirst()
                .map(p -> {
                    try {
                        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                            if (line.startsWith("VmRSS:")) {
                                return String.valueOf(Long.parseLong(line.replaceAll("\\D", "")) / 1024);
                            }
                        }
                    } catch (Exception e) {
                        // fall through
                    }
                    return "n/a";
                })
                .orElse("n/a");
    }

    static String started(Path home, String service) {
        try {
            Matcher m = Pattern.compile("started in ([0-9.]+)s").matcher(Files.readString(home.resolve("logs").resolve(service + ".log")));
            return m.find() ? m.group(1) + " s" : "n/a";
        } catch (Exception e) {
            return "n/a";
        }
    }
}
