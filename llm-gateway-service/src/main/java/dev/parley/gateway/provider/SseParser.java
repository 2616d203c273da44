package dev.parley.gateway.provider;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import io.vertx.core.buffer.Buffer;

/**
 * Server-sent events from a provider, fed in whatever pieces the network delivers: one callback per event with its
 * {@code data} (several data lines joined by newlines, per the SSE specification). Comments, {@code event:},
 * {@code id:} and {@code retry:} lines are ignored. Lines end in LF or CRLF.
 */
public final class SseParser implements StreamFraming.Parser {
    private static final int MAX_LINE = 16 * 1024 * 1024;

    private final Consumer<String> onData;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
    private StringBuilder data;

    public SseParser(Consumer<String> onData) {
        this.onData = onData;
    }

    @Override
    public void feed(Buffer buffer) {
        byte[] bytes = buffer.getBytes();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                line.write(bytes, start, i - start);
                onLine();
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            line.write(bytes, start, bytes.length - start);
            if (line.size() > MAX_LINE) {
                throw new IllegalStateException("SSE line longer than " + MAX_LINE + " bytes");
            }
        }
    }

    /** The stream ended: an event not yet closed by a blank line is still delivered. */
    @Override
    public void end() {
        if (line.size() > 0) {
            onLine();
        }
        dispatch();
    }

    private void onLine() {
        int n = line.size();
        byte[] b = line.toByteArray();
        line.reset();
        if (n > 0 && b[n - 1] == '\r') {
            n--;
        }
        if (n == 0) {
            dispatch();
            return;
        }
        if (n >= 5 && b[0] == 'd' && b[1] == 'a' && b[2] == 't' && b[3] == 'a' && b[4] == ':') {
            int from = n > 5 && b[5] == ' ' ? 6 : 5;
            String value = new String(b, from, n - from, StandardCharsets.UTF_8);
            if (data == null) {
                data = new StringBuilder(value);
            } else {
                data.append('\n').append(value);
            }
            if (data.length() > MAX_LINE) {
                throw new IllegalStateException("SSE event longer than " + MAX_LINE + " characters");
            }
        }
    }

    private void dispatch() {
        if (data != null) {
            String d = data.toString();
            data = null;
            onData.accept(d);
        }
    }
}
