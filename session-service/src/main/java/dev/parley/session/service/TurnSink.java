package dev.parley.session.service;

import dev.parley.session.entity.Message;

/** Where a streamed turn goes as it happens (the SSE route); a non-streamed turn has none. */
public interface TurnSink {
    void created(Message user);

    void delta(String text);

    void completed(Message assistant);

    void error(int status, String code, String message);

    /** The client went away: stop generating. */
    boolean gone();

    /** The stream being read, so that a client leaving can close it at once. */
    void reading(java.io.Closeable upstream);
}
