import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP/1.1 load generator for latency at a fixed request rate (wrk measures throughput; this measures
 * latency the way a steady stream of users sees it). JDK only.
 *
 * <pre>
 * java bench/LoadGen.java fixed-rate --url URL [options]
 *   --url URL              http://host:port/path (required)
 *   --body JSON            request body (then POST); or --body-file FILE
 *   -H, --header 'K: V'    a request header, repeatable (e.g. 'Authorization: Bearer pk-...')
 *   --method M             default POST with a body, GET without
 *   --rate R               requests per second (default 200)
 *   --duration S           measured seconds (default 30)
 *   --warmup S             seconds sent first and not counted (default 5)
 *   --connections N        keep-alive connections, opened at start (default 32); when all are busy a request waits
 *                          for the next free one (and that wait counts in its latency)
 *   --timeout S            a request with no data for this long is an error (default 10)
 *   --ttfb                 latency = time to the first byte of the response body (the rest is still read to the
 *                          end; a text/event-stream answer must end with "data: [DONE]" or counts as bad-stream)
 *   --spin-us U            busy-wait the last U µs before each due time instead of sleeping (default 100)
 *   --label NAME           shown in the result line
 * </pre>
 *
 * Coordinated-omission safe: request i is due at start + i/R and its latency is measured from that due time, not from
 * when it was actually written, so a stalled server (or a stalled generator) shows up in the percentiles instead of
 * silently lowering the rate. Only 2xx answers (and, for event streams, complete ones) enter the percentiles.
 *
 * Why blocking sockets and no event loop: on a small VM every thread hand-off is a wake-up that costs 0.1–0.3 ms at
 * the median and milliseconds at the tail. Here the scheduling thread writes the request itself on an idle
 * connection, and that connection's own thread blocks in read() for the answer: two wake-ups per request, the
 * minimum. (A Vert.x client measured about 0.5 ms more at p50 against the same mock on the benchmark machine.)
 *
 * Prints a short human summary and one parsable line starting with {@code LOADGEN}.
 */
public final class LoadGen {

    static String url;
    static String label = "";
    static String method;
    static byte[] body;
    static final List<String[]> headers = new ArrayList<>();
    static double rate = 200;
    static double durationSec = 30;
    static double warmupSec = 5;
    static int connections = 32;
    static int timeoutMs = 10_000;
    static boolean ttfb;
    static long spinNanos = 100_000;

    static String host;
    static int port;
    static byte[] request;

    static final Object lock = new Object();
    /** Idle connections, most recently used first (like a client pool: one hot connection at low rates). */
    static final ArrayDeque<Conn> idle = new ArrayDeque<>();
    /** Requests that found no idle connection, oldest first. */
    static final ArrayDeque<Call> pending = new ArrayDeque<>();
    static final AtomicLong completed = new AtomicLong();
    static volatile boolean running = true;

    /** One request. */
    static final class Call {
        final long due;
        final boolean measured;
        long sent;

        Call(long due, boolean measured) {
            this.due = due;
            this.measured = measured;
        }
    }

    /** Growable array of longs. */
    static final class Longs {
        long[] a = new long[256];
        int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }
    }

    /** One keep-alive connection and the thread that reads its answers. Statistics are per connection (no sharing). */
    static final class Conn implements Runnable {
        static final int HEADERS = 0, FIXED = 1, CHUNK_SIZE = 2, CHUNK_DATA = 3, CHUNK_CRLF = 4, TRAILERS = 5, UNTIL_EOF = 6;

        final int index;
        Socket socket;
        InputStream in;
        OutputStream out;
        /** The request in flight; changed under {@link LoadGen#lock}. */
        volatile Call current;

        // reader state, touched only by this connection's thread
        byte[] buf = new byte[16 * 1024];
        int start;
        int end;
        int state = HEADERS;
        long remaining;
        int status;
        boolean eventStream;
        boolean closeAfter;
        long firstByte;
        final byte[] tail = new byte[32];
        int tailLen;

        final Longs latencies = new Longs();
        final Longs lags = new Longs();
        long errors;
        long non2xx;
        long badStream;
        String firstError;
        int firstBadStatus;

        Conn(int index) throws IOException {
            this.index = index;
            connect();
        }

        void connect() throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMs);
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            socket = s;
            in = s.getInputStream();
            out = s.getOutputStream();
        }

        /** Writes the request; a failed write shows up as a failed read on this connection's thread. */
        static void send(Call call, OutputStream out) {
            call.sent = System.nanoTime();
            try {
                out.write(request);
            } catch (IOException ignored) {
                // the reader sees the broken connection and counts the error
            }
        }

        @Override
        public void run() {
            while (running) {
                int n;
                try {
                    if (end == buf.length) {
                        if (start > 0) {
                            System.arraycopy(buf, start, buf, 0, end - start);
                            end -= start;
                            start = 0;
                        } else {
                            buf = Arrays.copyOf(buf, buf.length * 2);
                        }
                    }
                    n = in.read(buf, end, buf.length - end);
                } catch (SocketTimeoutException e) {
                    Call call = current;
                    // the read may have been waiting on an idle connection long before this request was written
                    if (call != null && System.nanoTime() - call.sent >= TimeUnit.MILLISECONDS.toNanos(timeoutMs) - 1_000_000) {
                        failAndReconnect("timeout: no data for " + timeoutMs + " ms");
                    }
                    continue;
                } catch (IOException e) {
                    if (running) {
                        failAndReconnect(e.toString());
                    }
                    continue;
                }
                long now = System.nanoTime();
                if (n < 0) {
                    if (state == UNTIL_EOF && current != null) {
                        complete(now); // the body ended with the connection; complete() reconnects
                    } else {
                        failAndReconnect("connection closed by the server");
                    }
                    continue;
                }
                Call call = current;
                if (call == null) {
                    failAndReconnect("data without a request");
                    continue;
                }
                end += n;
                try {
                    if (parse(now)) {
                        complete(now);
                    }
                } catch (RuntimeException e) {
                    failAndReconnect("bad response: " + e.getMessage());
                }
            }
        }

        /** Consumes what is buffered; true when the response is complete. */
        boolean parse(long now) {
            while (true) {
                switch (state) {
                    case HEADERS -> {
                        int h = indexOf(buf, start, end, CRLFCRLF);
                        if (h < 0) {
                            return false;
                        }
                        headers(start, h);
                        start = h + 4;
                    }
                    case FIXED, CHUNK_DATA -> {
                        int take = (int) Math.min(remaining, end - start);
                        if (take == 0 && remaining > 0) {
                            return false;
                        }
                        data(start, take, now);
                        start += take;
                        remaining -= take;
                        if (remaining == 0) {
                            if (state == FIXED) {
                                return true;
                            }
                            state = CHUNK_CRLF;
                        }
                    }
                    case CHUNK_CRLF -> {
                        if (end - start < 2) {
                            return false;
                        }
                        start += 2;
                        state = CHUNK_SIZE;
                    }
                    case CHUNK_SIZE -> {
                        int e = indexOf(buf, start, end, CRLF);
                        if (e < 0) {
                            return false;
                        }
                        long size = 0;
                        for (int i = start; i < e && buf[i] != ';' && buf[i] != ' '; i++) {
                            int digit = Character.digit(buf[i], 16);
                            if (digit < 0 || size > (Long.MAX_VALUE >> 4)) {
                                throw new IllegalStateException("bad chunk size");
                            }
                            size = size * 16 + digit;
                        }
                        start = e + 2;
                        remaining = size;
                        state = size == 0 ? TRAILERS : CHUNK_DATA;
                    }
                    case TRAILERS -> {
                        int e = indexOf(buf, start, end, CRLF);
                        if (e < 0) {
                            return false;
                        }
                        boolean last = e == start;
                        start = e + 2;
                        if (last) {
                            return true;
                        }
                    }
                    case UNTIL_EOF -> {
                        data(start, end - start, now);
                        start = end;
                        return false;
                    }
                    default -> throw new IllegalStateException("state " + state);
                }
            }
        }

        void headers(int from, int to) {
            String head = new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
            String[] lines = head.split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
                throw new IllegalStateException("not HTTP/1.x: " + lines[0]);
            }
            status = Integer.parseInt(statusLine[1]);
            long length = -1;
            boolean chunked = false;
            eventStream = false;
            closeAfter = statusLine[0].equals("HTTP/1.0");
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(c + 1).trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "content-type" -> eventStream = value.startsWith("text/event-stream");
                    case "connection" -> closeAfter = value.contains("close") || (closeAfter && !value.contains("keep-alive"));
                    default -> { }
                }
            }
            if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
                if (status >= 100 && status < 200) {
                    return; // an interim answer: the real one follows
                }
                state = FIXED;
                remaining = 0;
            } else if (chunked) {
                state = CHUNK_SIZE;
            } else if (length >= 0) {
                state = FIXED;
                remaining = length;
            } else {
                state = UNTIL_EOF;
                closeAfter = true;
            }
        }

        void data(int from, int len, long now) {
            if (len <= 0) {
                return;
            }
            if (firstByte == 0) {
                firstByte = now;
            }
            if (eventStream) {
                int keep = Math.min(len, tail.length);
                int old = Math.min(tailLen, tail.length - keep);
                System.arraycopy(tail, tailLen - old, tail, 0, old);
                System.arraycopy(buf, from + len - keep, tail, old, keep);
                tailLen = old + keep;
            }
        }

        void complete(long now) {
            Call call = current;
            if (call.measured) {
                lags.add(call.sent - call.due);
                if (status < 200 || status > 299) {
                    non2xx++;
                    if (firstBadStatus == 0) {
                        firstBadStatus = status;
                    }
                } else if (eventStream && !new String(tail, 0, tailLen, StandardCharsets.US_ASCII).stripTrailing()
                        .endsWith("data: [DONE]")) {
                    badStream++;
                } else {
                    long at = ttfb && firstByte != 0 ? firstByte : now;
                    latencies.add(at - call.due);
                }
            }
            completed.incrementAndGet();
            boolean reconnect = closeAfter || start != end;
            reset();
            if (reconnect) {
                synchronized (lock) {
                    current = null;
                }
                reconnect();
            }
            handOff();
        }

        void reset() {
            start = 0;
            end = 0;
            state = HEADERS;
            firstByte = 0;
            tailLen = 0;
            eventStream = false;
            closeAfter = false;
        }

        /** The connection broke (or timed out): the request in flight, if any, is an error; then reconnect. */
        void failAndReconnect(String why) {
            Call call;
            synchronized (lock) {
                call = current;
                if (call == null) {
                    idle.remove(this);
                }
                current = null;
            }
            if (call != null) {
                if (call.measured) {
                    errors++;
                    if (firstError == null) {
                        firstError = why;
                    }
                }
                completed.incrementAndGet();
            }
            reset();
            reconnect();
            handOff();
        }

        void reconnect() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            while (running) {
                try {
                    connect();
                    return;
                } catch (IOException e) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        }

        /** Takes the oldest waiting request, or goes back to the idle pool. */
        void handOff() {
            Call next;
            OutputStream o;
            synchronized (lock) {
                next = pending.pollFirst();
                if (next == null) {
                    current = null;
                    idle.addFirst(this);
                    return;
                }
                current = next;
                o = out;
            }
            send(next, o);
        }
    }

    static final byte[] CRLF = {'\r', '\n'};
    static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};

    static int indexOf(byte[] b, int from, int to, byte[] what) {
        outer:
        for (int i = from; i <= to - what.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (b[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        parse(args);
        URI uri = URI.create(url);
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            die("only http://host[:port]/path URLs are supported: " + url);
        }
        host = uri.getHost();
        port = uri.getPort() > 0 ? uri.getPort() : 80;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        if (method == null) {
            method = body != null ? "POST" : "GET";
        }
        request = buildRequest(path);

        List<Conn> conns = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            try {
                conns.add(new Conn(i));
            } catch (IOException e) {
                die("cannot connect to " + host + ":" + port + ": " + e);
            }
        }
        List<Thread> readers = new ArrayList<>();
        for (Conn c : conns) {
            idle.addLast(c);
            Thread t = new Thread(c, "loadgen-conn-" + c.index);
            t.setDaemon(true);
            t.start();
            readers.add(t);
        }

        long total = Math.round((warmupSec + durationSec) * rate);
        long warmupCount = Math.round(warmupSec * rate);
        double nsPerRequest = 1e9 / rate;
        System.out.printf(Locale.ROOT, "fixed-rate %s req/s for %s s (+%s s warm-up) %s %s, %d connections, latency to %s%n",
                trim(rate), trim(durationSec), trim(warmupSec), method, url, connections,
                ttfb ? "the first body byte" : "the end of the response");

        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        for (long i = 0; i < total; i++) {
            long due = start + (long) (i * nsPerRequest);
            waitUntil(due);
            Call call = new Call(due, i >= warmupCount);
            Conn conn;
            OutputStream o;
            synchronized (lock) {
                conn = idle.pollFirst();
                if (conn == null) {
                    pending.addLast(call);
                    continue;
                }
                conn.current = call;
                o = conn.out;
            }
            Conn.send(call, o);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs + 2000L);
        while (completed.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        running = false;
        for (Conn c : conns) {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // stopping
            }
        }
        for (Thread t : readers) {
            t.join(1000);
        }
        report(conns, total - warmupCount, total - completed.get());
        System.exit(0);
    }

    static byte[] buildRequest(String path) {
        StringBuilder h = new StringBuilder();
        h.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        h.append("Host: ").append(host).append(port == 80 ? "" : ":" + port).append("\r\n");
        boolean hasType = false;
        boolean hasAccept = false;
        for (String[] kv : headers) {
            hasType |= kv[0].equalsIgnoreCase("content-type");
            hasAccept |= kv[0].equalsIgnoreCase("accept");
        }
        h.append("User-Agent: parley-loadgen\r\n");
        if (!hasAccept) {
            h.append("Accept: ").append(ttfb ? "text/event-stream" : "application/json").append("\r\n");
        }
        if (body != null) {
            if (!hasType) {
                h.append("Content-Type: application/json\r\n");
            }
            h.append("Content-Length: ").append(body.length).append("\r\n");
        }
        for (String[] kv : headers) {
            h.append(kv[0]).append(": ").append(kv[1]).append("\r\n");
        }
        h.append("\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.UTF_8);
        if (body == null) {
            return head;
        }
        byte[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Parks until {@code spinNanos} before the due time, then spins: parking alone wakes up late on a busy VM. */
    static void waitUntil(long due) {
        while (true) {
            long left = due - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (left <= spinNanos) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(left - spinNanos);
            }
        }
    }

    static void report(List<Conn> conns, long planned, long unfinished) {
        Longs all = new Longs();
        Longs lagAll = new Longs();
        long errors = 0, non2xx = 0, badStream = 0;
        String firstError = null;
        int firstBadStatus = 0;
        for (Conn c : conns) {
            for (int i = 0; i < c.latencies.n; i++) {
                all.add(c.latencies.a[i]);
            }
            for (int i = 0; i < c.lags.n; i++) {
                lagAll.add(c.lags.a[i]);
            }
            errors += c.errors;
            non2xx += c.non2xx;
            badStream += c.badStream;
            firstError = firstError == null ? c.firstError : firstError;
            firstBadStatus = firstBadStatus == 0 ? c.firstBadStatus : firstBadStatus;
        }
        long[] l = Arrays.copyOf(all.a, all.n);
        Arrays.sort(l);
        long[] g = Arrays.copyOf(lagAll.a, lagAll.n);
        Arrays.sort(g);
        int count = l.length;
        double achieved = count / durationSec;
        System.out.printf(Locale.ROOT, "  requests %d  ok %d  errors %d  non-2xx %d  bad-stream %d  unfinished %d  (%.1f ok req/s)%n",
                planned, count, errors, non2xx, badStream, unfinished, achieved);
        if (firstError != null) {
            System.out.println("  first error: " + firstError);
        }
        if (firstBadStatus != 0) {
            System.out.println("  first non-2xx status: " + firstBadStatus);
        }
        System.out.printf(Locale.ROOT, "  latency ms  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s   (send lag p50 %s  p99 %s  max %s)%n",
                ms(pct(l, 50)), ms(pct(l, 90)), ms(pct(l, 99)), ms(pct(l, 99.9)), ms(max(l)),
                ms(pct(g, 50)), ms(pct(g, 99)), ms(max(g)));
        System.out.printf(Locale.ROOT, "LOADGEN label=%s mode=%s rate=%s duration_s=%s planned=%d count=%d errors=%d non2xx=%d "
                        + "bad_stream=%d unfinished=%d achieved_rps=%.1f p50_ms=%s p90_ms=%s p99_ms=%s p999_ms=%s max_ms=%s "
                        + "lag_p50_ms=%s lag_p99_ms=%s lag_max_ms=%s%n",
                label.isEmpty() ? "-" : label, ttfb ? "ttfb" : "full", trim(rate), trim(durationSec), planned, count, errors,
                non2xx, badStream, unfinished, achieved, ms(pct(l, 50)), ms(pct(l, 90)), ms(pct(l, 99)), ms(pct(l, 99.9)),
                ms(max(l)), ms(pct(g, 50)), ms(pct(g, 99)), ms(max(g)));
    }

    /** Nearest-rank percentile of a sorted array; -1 when empty. */
    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static long max(long[] sorted) {
        return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
    }

    static String ms(long nanos) {
        return nanos < 0 ? "NaN" : String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static void parse(String[] args) throws IOException {
        if (args.length == 0 || !"fixed-rate".equals(args[0])) {
            die("usage: LoadGen fixed-rate --url URL [--body JSON | --body-file F] [-H 'K: V']... [--rate 200] "
                    + "[--duration 30] [--warmup 5] [--connections 32] [--timeout 10] [--ttfb] [--spin-us 100] [--label NAME]");
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.equals("--ttfb") && i + 1 >= args.length) {
                die("missing value for " + a);
            }
            switch (a) {
                case "--url" -> url = args[++i];
                case "--body" -> body = args[++i].getBytes(StandardCharsets.UTF_8);
                case "--body-file" -> body = Files.readAllBytes(Path.of(args[++i]));
                case "-H", "--header" -> {
                    String hv = args[++i];
                    int c = hv.indexOf(':');
                    if (c <= 0) {
                        die("a header is 'Name: value': " + hv);
                    }
                    headers.add(new String[] {hv.substring(0, c).trim(), hv.substring(c + 1).trim()});
                }
                case "--method" -> method = args[++i].toUpperCase(Locale.ROOT);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--duration" -> durationSec = Double.parseDouble(args[++i]);
                case "--warmup" -> warmupSec = Double.parseDouble(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--timeout" -> timeoutMs = (int) (Double.parseDouble(args[++i]) * 1000);
                case "--ttfb" -> ttfb = true;
                case "--spin-us" -> spinNanos = Long.parseLong(args[++i]) * 1000;
                case "--label" -> label = args[++i].replaceAll("\\s+", "_");
                default -> die("unknown option " + a);
            }
        }
        if (url == null) {
            die("--url is required");
        }
        if (rate <= 0 || durationSec <= 0 || warmupSec < 0 || connections < 1 || timeoutMs <= 0 || spinNanos < 0) {
            die("--rate, --duration, --connections and --timeout must be positive, --warmup and --spin-us >= 0");
        }
    }

    static void die(String message) {
        System.err.println("loadgen: " + message);
        System.exit(64);
    }
}
