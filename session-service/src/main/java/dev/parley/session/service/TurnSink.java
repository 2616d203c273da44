package dev.parley.session.service;

import dev.parley.session.entity.Message;

/** Where a streamed turn goes as it happens (the SSE route); a non-streamed turn has none. */
public interface TurnSink {
    void created(Message user);

    void delta(String text);

    /** A piece of the model's reasoning (kept apart from the reply's text). */
    default void reasoning(String text) { }

    void completed(Message assistant);

    void error(int status, String code, String message);

    /**
     * The generation broke off after the reply was stored (as {@code partial} with the text so far, or {@code error}):
     * the client is told with an error, which carries the stored reply.
     */
    default void failed(Message assistant) {
        Object code = assistant.error == null ? "GENERATION_FAILED" : assistant.error.get("code");
        Object message = assistant.error == null ? "The generation failed." : assistant.error.get("message");
        error(502, String.valueOf(code), String.valueOf(message));
    }

    /** The client went away: stop generating. */
    boolean gone();

    /** The stream being read, so that a client leaving can close it at once. */
    void reading(java.io.Closeable upstream);
}
