import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest load for usage-service: THREADS senders post batches of BATCH new events to POST /internal/v1/usage-events
 * with a service token for SECONDS seconds; prints events/s stored and the batch latency p50/p99.
 *
 *   java bench/UsageIngestLoad.java <base-url> <service-token> [seconds] [threads] [batch]
 */
public class UsageIngestLoad {
    static final String[] MODELS = {"gpt-4o-mini", "gpt-4o", "o4-mini", "gpt-5-mini"};

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String token = args[1];
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 500;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        UUID[] users = new UUID[200];
        for (int i = 0; i < users.length; i++) {
            users[i] = UUID.randomUUID();
        }
        AtomicLong stored = new AtomicLong();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                while (System.nanoTime() < end) {
                    String body = body(batch, users);
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/internal/v1/usage-events"))
                                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 202) {
                            System.err.println("HTTP " + r.statusCode() + ": " + r.body());
                            return;
                        }
                        String s = r.body();
                        int i = s.indexOf("\"stored\":") + 9;
                        stored.addAndGet(Long.parseLong(s.substring(i, s.indexOf(',', i))));
                        latencies.add((System.nanoTime() - t0) / 1_000_000);
                    } catch (Exception e) {
                        System.err.println(e);
                        return;
                    }
                }
            });
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) {
            th.join();
        }
        List<Long> l = new ArrayList<>(latencies);
        l.sort(null);
        System.out.printf("events stored: %d in %d s = %.0f events/s; batches %d of %d events, latency p50 %d ms, p99 %d ms%n",
                stored.get(), seconds, stored.get() / (double) seconds, l.size(), batch,
                l.isEmpty() ? 0 : l.get(l.size() / 2), l.isEmpty() ? 0 : l.get(Math.min(l.size() - 1, (int) (l.size() * 0.99))));
    }

    static String body(int n, UUID[] users) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(n * 420).append("{\"events\":[");
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"request_id\":\"").append(UUID.randomUUID()).append("\",\"occurred_at\":\"").append(now.minusMillis(r.nextInt(60_000)))
                    .append("\",\"user_id\":\"").append(users[r.nextInt(users.length)]).append("\",\"access_key_id\":null,")
                    .append("\"session_id\":\"").append(UUID.randomUUID()).append("\",\"message_id\":\"").append(UUID.randomUUID())
                    .append("\",\"provider\":\"openai\",\"model\":\"").append(MODELS[r.nextInt(MODELS.length)])
                    .append("\",\"deployment\":\"openai/x\",\"prompt_tokens\":").append(100 + r.nextInt(4000))
                    .append(",\"completion_tokens\":").append(10 + r.nextInt(800)).append(",\"cached_tokens\":0,\"reasoning_tokens\":0,")
                    .append("\"cache_write_tokens\":0,\"images\":0,\"latency_ms\":").append(200 + r.nextInt(3000))
                    .append(",\"ttft_ms\":null,\"status\":\"success\",\"streamed\":false}");
        }
        return sb.append("]}").toString();
    }
}
