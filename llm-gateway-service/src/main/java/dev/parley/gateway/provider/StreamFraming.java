package dev.parley.gateway.provider;

import java.util.function.Consumer;

import io.vertx.core.buffer.Buffer;

/**
 * How a provider frames a streamed answer on the wire. Every provider so far sends server-sent events
 * ({@link #SSE}); another framing (AWS's binary event-stream, for one) is another implementation of this.
 */
public interface StreamFraming {

    /** The media type to ask for in {@code Accept}. */
    String mediaType();

    /** A parser for one stream that hands each event's payload (the JSON text of one event) to {@code onEvent}. */
    Parser parser(Consumer<String> onEvent);

    /** Fed the stream in whatever pieces the network delivers. */
    interface Parser {
        /** Throws IllegalStateException when an event exceeds what the parser holds. */
        void feed(Buffer piece);

        /** The stream ended: an event not yet closed is still delivered. */
        void end();
    }

    /** Server-sent events: each event's {@code data}; OpenAI's closing {@code [DONE]} is no event. */
    StreamFraming SSE = new StreamFraming() {
        @Override
        public String mediaType() {
            return "text/event-stream";
        }

        @Override
        public Parser parser(Consumer<String> onEvent) {
            return new SseParser(data -> {
                if (!"[DONE]".equals(data)) {
                    onEvent.accept(data);
                }
            });
        }
    };
}
