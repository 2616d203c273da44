import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A minimal, fast OpenAI-compatible upstream for benchmarks: it answers in OpenAI's exact wire format with
 * precomputed bytes, so what a benchmark measures is the gateway in front of it, not the upstream.
 *
 * <pre>
 * java -cp "llm-gateway-service/target/quarkus-app/lib/main/*" bench/MockUpstream.java [port] [options]
 *   port                  default 18999
 *   --host H              bind address (default 127.0.0.1)
 *   --instances N         event loops / server instances (default 1)
 *   --chunks N            content chunks per streamed answer (default 8: the words of the non-stream answer)
 *   --chunk-delay-ms D    delay between streamed chunks after the first (default 0: the rest in one write)
 * </pre>
 *
 * Endpoints: {@code POST /v1/chat/completions} (a {@code chat.completion}, or with {@code "stream":true} Server-Sent
 * Events of {@code chat.completion.chunk}s, a usage chunk when {@code "stream_options":{"include_usage":true}}, then
 * {@code data: [DONE]}), {@code POST /v1/embeddings} (one 8-dimensional vector), {@code GET /v1/models}; anything else
 * 404 in OpenAI's error shape. The request JSON is not parsed: {@code "stream"}, {@code "include_usage"} and
 * {@code "model"} are found by a substring scan, and the answer echoes the request's model (bytes cached per model).
 */
public final class MockUpstream {

    static final String ID = "chatcmpl-BnchMck7q2Xv9LpT4sWz0aYc3RkDfGh";
    static final String FINGERPRINT = "fp_b7faba9ef5";
    static final long CREATED = System.currentTimeMillis() / 1000;
    static final String DEFAULT_MODEL = "mock-model";
    static final String CONTENT = "Hello! How can I help you today?";
    /** The streamed pieces of CONTENT, as OpenAI's tokenizer would roughly cut it; cycled when more are asked. */
    static final String[] PIECES = {"Hello", "!", " How", " can", " I", " help", " you", " today?"};
    static final String[] OBFUSCATION = {"fE2xNa", "Q2r7dK", "xW8pLz1", "9cTm", "Hq3e", "Vb0kR2w", "M4n", "zP7s", "y1F", "Kd93jT5", "j", "Ws0cRk81aLp"};
    static final int PROMPT_TOKENS = 9;
    static final int COMPLETION_TOKENS = 8;
    static final int MAX_CACHED_MODELS = 256;

    static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("content-type");
    static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream; charset=utf-8");
    static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("cache-control");
    static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");

    static int chunks = PIECES.length;
    static long chunkDelayMs = 0;

    /** Everything answered for one model name, precomputed. */
    static final class Answers {
        final Buffer completion;
        final Buffer embeddings;
        final Stream plain;
        final Stream withUsage;

        Answers(String model) {
            String m = jsonString(model);
            completion = utf8(pretty("{\"id\":\"" + ID + "\",\"object\":\"chat.completion\",\"created\":" + CREATED
                    + ",\"model\":" + m + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                    + jsonString(CONTENT) + ",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,"
                    + "\"finish_reason\":\"stop\"}],\"usage\":" + usage(PROMPT_TOKENS, COMPLETION_TOKENS)
                    + ",\"service_tier\":\"default\",\"system_fingerprint\":\"" + FINGERPRINT + "\"}"));
            embeddings = utf8(pretty("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":"
                    + "[0.0023064255,-0.009327292,-0.0028842222,0.021418536,-0.015237071,0.0056195213,"
                    + "-0.010728743,0.0181204]}],\"model\":" + m
                    + ",\"usage\":{\"prompt_tokens\":" + PROMPT_TOKENS + ",\"total_tokens\":" + PROMPT_TOKENS + "}}"));
            plain = new Stream(m, false);
            withUsage = new Stream(m, true);
        }
    }

    /** One streamed answer: the first event alone (sent at once), then the rest. */
    static final class Stream {
        final Buffer first;
        final Buffer[] pieces;
        final Buffer tail;
        final Buffer rest;

        Stream(String jsonModel, boolean includeUsage) {
            String head = "data: {\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":" + CREATED
                    + ",\"model\":" + jsonModel + ",\"service_tier\":\"default\",\"system_fingerprint\":\""
                    + FINGERPRINT + "\",\"choices\":";
            String usageNull = includeUsage ? ",\"usage\":null" : "";
            int o = 0;
            first = utf8(head + choice("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "null")
                    + usageNull + obfuscation(o++));
            pieces = new Buffer[chunks];
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < chunks; i++) {
                String event = head + choice("{\"content\":" + jsonString(PIECES[i % PIECES.length]) + "}", "null")
                        + usageNull + obfuscation(o++);
                pieces[i] = utf8(event);
                all.append(event);
            }
            StringBuilder t = new StringBuilder(head).append(choice("{}", "\"stop\"")).append(usageNull).append(obfuscation(o++));
            if (includeUsage) {
                t.append(head).append("[],\"usage\":").append(usage(PROMPT_TOKENS, chunks)).append(obfuscation(o++));
            }
            t.append("data: [DONE]\n\n");
            tail = utf8(t.toString());
            rest = utf8(all.append(t).toString());
        }

        /** OpenAI pads each event with a random {@code obfuscation} string (stream_options.include_obfuscation). */
        static String obfuscation(int i) {
            return ",\"obfuscation\":\"" + OBFUSCATION[i % OBFUSCATION.length] + "\"}\n\n";
        }

        static String choice(String delta, String finishReason) {
            return "[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":" + finishReason + "}]";
        }
    }

    static final ConcurrentHashMap<String, Answers> ANSWERS = new ConcurrentHashMap<>();
    static volatile Answers defaultAnswers;
    static Buffer models;

    static Answers answersFor(String body) {
        String model = stringField(body, "model");
        if (model == null || model.isEmpty() || model.length() > 128) {
            return defaultAnswers;
        }
        Answers a = ANSWERS.get(model);
        if (a == null) {
            a = new Answers(model);
            if (ANSWERS.size() < MAX_CACHED_MODELS) {
                ANSWERS.putIfAbsent(model, a);
            }
        }
        return a;
    }

    public static final class Server extends AbstractVerticle {
        final String host;
        final int port;

        Server(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public void start(Promise<Void> started) {
            HttpServerOptions options = new HttpServerOptions()
                    .setHost(host).setPort(port)
                    .setTcpNoDelay(true)
                    .setCompressionSupported(false)
                    .setHandle100ContinueAutomatically(true)
                    .setIdleTimeout(0);
            vertx.createHttpServer(options)
                    .requestHandler(this::handle)
                    .listen()
                    .<Void>mapEmpty()
                    .onComplete(started);
        }

        void handle(HttpServerRequest req) {
            String path = req.path();
            HttpMethod method = req.method();
            if (method == HttpMethod.POST && "/v1/chat/completions".equals(path)) {
                req.body().onSuccess(body -> chat(req, body.toString(StandardCharsets.ISO_8859_1)));
            } else if (method == HttpMethod.POST && "/v1/embeddings".equals(path)) {
                req.body().onSuccess(body -> req.response().putHeader(CONTENT_TYPE, JSON)
                        .end(answersFor(body.toString(StandardCharsets.ISO_8859_1)).embeddings));
            } else if (method == HttpMethod.POST && "/internal/v1/usage-events".equals(path)) {
                // Stands in for usage-service (not built yet): takes every batch, as its contract says, so the
                // gateway's outbox drains during the benchmark as it would in production.
                req.body().onComplete(ignored -> req.response().setStatusCode(202).end());
            } else if (method == HttpMethod.GET && "/internal/v1/budget-check".equals(path)) {
                // usage-service's budget check (contract in ARCHITECTURE.md): every call within budget.
                req.response().putHeader(CONTENT_TYPE, JSON).end("{\"allowed\":true,\"reason\":null}");
            } else if (method == HttpMethod.GET && "/v1/models".equals(path)) {
                req.response().putHeader(CONTENT_TYPE, JSON).end(models);
            } else {
                req.body().onComplete(ignored -> req.response().setStatusCode(404).putHeader(CONTENT_TYPE, JSON)
                        .end("{\"error\":{\"message\":" + jsonString("Invalid URL (" + method + " " + path + ")")
                                + ",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}"));
            }
        }

        void chat(HttpServerRequest req, String body) {
            Answers answers = answersFor(body);
            HttpServerResponse resp = req.response();
            if (!boolField(body, "stream")) {
                resp.putHeader(CONTENT_TYPE, JSON).end(answers.completion);
                return;
            }
            Stream s = boolField(body, "include_usage") ? answers.withUsage : answers.plain;
            resp.setChunked(true).putHeader(CONTENT_TYPE, EVENT_STREAM).putHeader(CACHE_CONTROL, NO_CACHE);
            // Vert.x flushes each write; inside the request's read it flushes once the read completes, so the first
            // event leaves the process at once either way and, without a delay, the rest follows in one more write.
            resp.write(s.first);
            if (chunkDelayMs <= 0) {
                resp.end(s.rest);
            } else {
                writePiece(resp, s, 0);
            }
        }

        void writePiece(HttpServerResponse resp, Stream s, int i) {
            vertx.setTimer(chunkDelayMs, t -> {
                if (resp.closed() || resp.ended()) {
                    return;
                }
                if (i < s.pieces.length) {
                    resp.write(s.pieces[i]);
                    writePiece(resp, s, i + 1);
                } else {
                    resp.end(s.tail);
                }
            });
        }
    }

    // ---- tiny helpers: no JSON library, the mock must cost next to nothing ----

    static String usage(int prompt, int completion) {
        return "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + ",\"total_tokens\":"
                + (prompt + completion) + ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}";
    }

    /** Indents compact JSON by two spaces the way OpenAI's non-streamed answers are formatted. */
    static String pretty(String json) {
        StringBuilder b = new StringBuilder(json.length() * 2);
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                b.append(c);
                if (c == '\\') {
                    b.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> {
                    inString = true;
                    b.append(c);
                }
                case '{', '[' -> {
                    char close = c == '{' ? '}' : ']';
                    if (i + 1 < json.length() && json.charAt(i + 1) == close) {
                        b.append(c).append(close);
                        i++;
                    } else {
                        b.append(c).append('\n').append("  ".repeat(++depth));
                    }
                }
                case '}', ']' -> b.append('\n').append("  ".repeat(--depth)).append(c);
                case ',' -> b.append(",\n").append("  ".repeat(depth));
                case ':' -> b.append(": ");
                default -> b.append(c);
            }
        }
        return b.append('\n').toString();
    }

    static Buffer utf8(String s) {
        return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Index just after {@code "name"} and the colon that follows it, or -1. Skips escaped quotes. */
    static int valueStart(String s, String name) {
        String key = "\"" + name + "\"";
        int from = 0;
        while (true) {
            int k = s.indexOf(key, from);
            if (k < 0) {
                return -1;
            }
            from = k + key.length();
            if (k > 0 && s.charAt(k - 1) == '\\') {
                continue;
            }
            int i = skipSpace(s, from);
            if (i < s.length() && s.charAt(i) == ':') {
                return skipSpace(s, i + 1);
            }
        }
    }

    static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    static boolean boolField(String s, String name) {
        int i = valueStart(s, name);
        return i >= 0 && s.startsWith("true", i);
    }

    /** A plain string value (no escapes; anything fancier yields null and the default model). */
    static String stringField(String s, String name) {
        int i = valueStart(s, name);
        if (i < 0 || i >= s.length() || s.charAt(i) != '"') {
            return null;
        }
        int end = s.indexOf('"', i + 1);
        if (end < 0) {
            return null;
        }
        String v = s.substring(i + 1, end);
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            if (c < 0x20 || c > 0x7e || c == '\\') {
                return null;
            }
        }
        return v;
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    public static void main(String[] args) throws Exception {
        int port = 18999;
        String host = "127.0.0.1";
        int instances = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--host" -> host = args[++i];
                case "--instances" -> instances = Integer.parseInt(args[++i]);
                case "--chunks" -> chunks = Integer.parseInt(args[++i]);
                case "--chunk-delay-ms" -> chunkDelayMs = Long.parseLong(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: MockUpstream [port] [--host H] [--instances N] [--chunks N] [--chunk-delay-ms D]");
                    return;
                }
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    }
                    port = Integer.parseInt(a);
                }
            }
        }
        if (instances < 1 || chunks < 0) {
            throw new IllegalArgumentException("--instances must be >= 1 and --chunks >= 0");
        }
        defaultAnswers = new Answers(DEFAULT_MODEL);
        models = utf8("{\"object\":\"list\",\"data\":[{\"id\":\"" + DEFAULT_MODEL + "\",\"object\":\"model\",\"created\":"
                + CREATED + ",\"owned_by\":\"parley-bench\"}]}");

        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(instances)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                .setPreferNativeTransport(true)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        String h = host;
        int p = port;
        CountDownLatch latch = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        vertx.deployVerticle(() -> new Server(h, p), new DeploymentOptions().setInstances(instances))
                .onComplete(ar -> {
                    failure.set(ar.cause());
                    latch.countDown();
                });
        latch.await();
        if (failure.get() != null) {
            System.err.println("mock upstream: cannot listen on " + host + ":" + port + ": " + failure.get());
            vertx.close();
            System.exit(1);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            CountDownLatch closed = new CountDownLatch(1);
            vertx.close().onComplete(ar -> closed.countDown());
            try {
                closed.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }));
        System.out.printf(Locale.ROOT, "mock upstream ready on http://%s:%d/v1 (instances=%d, chunks=%d, chunk-delay-ms=%d, native transport=%s)%n",
                host, port, instances, chunks, chunkDelayMs, vertx.isNativeTransportEnabled());
    }
}
