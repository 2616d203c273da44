package dev.parley.session.client;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A streamed chat completion as it arrives: OpenAI's server-sent events ({@code data: {chunk}} lines, a blank line
 * after each, {@code data: [DONE]} last) read one {@link ChatDelta} at a time. {@link #close()} (from any thread)
 * closes the connection, which stops the generation at the gateway; a read blocked meanwhile ends with an
 * IOException.
 */
public final class ChatStream implements Closeable {
    private final InputStream raw;
    private final BufferedReader in;
    private final String deployment;
    private final ObjectMapper mapper;
    private boolean done;

    ChatStream(InputStream raw, String deployment, ObjectMapper mapper) {
        this.raw = raw;
        this.in = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8));
        this.deployment = deployment;
        this.mapper = mapper;
    }

    /** The deployment that answers ({@code x-parley-deployment}), when the gateway said. */
    public String deployment() {
        return deployment;
    }

    /**
     * The next chunk; null when the stream has ended ({@link #done()} tells whether it ended properly, with
     * {@code [DONE]}). IOException when the connection breaks or a chunk is not JSON.
     */
    public ChatDelta next() throws IOException {
        if (done) {
            return null;
        }
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.startsWith("data:")) {
                continue; // blank separators, comments, event:/id: fields
            }
            String data = line.substring(5).trim();
            if ("[DONE]".equals(data)) {
                done = true;
                return null;
            }
            return ChatWire.delta(mapper.readTree(data), mapper);
        }
        return null;
    }

    /** True once {@code data: [DONE]} was read: the stream was complete. */
    public boolean done() {
        return done;
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
