package dev.parley.session.service;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.parley.session.config.SessionConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Streamed generations in flight on this replica, found by their user message's id or their reply's, and how they are
 * stopped: here ({@link #cancel}), or on the replica running them ({@link #cancelElsewhere}, over
 * {@link SessionEvents}' NOTIFY channels; this replica answers the others' requests the same way). Stopping closes
 * the stream from the gateway, which stops the generation there; the turn keeps the reply as {@code cancelled}.
 */
@ApplicationScoped
public class Generations {
    /** One streamed generation: whose it is, whether it was cancelled, and the stream to close. */
    public static final class Generation {
        private final UUID userId;
        private volatile boolean cancelled;
        private volatile Closeable upstream;

        private Generation(UUID userId) {
            this.userId = userId;
        }

        public boolean cancelled() {
            return cancelled;
        }

        /** The stream being read; closed at once when the generation was cancelled before it opened. */
        public void reading(Closeable stream) {
            upstream = stream;
            if (cancelled) {
                cancel();
            }
        }

        void cancel() {
            cancelled = true;
            Closeable u = upstream;
            if (u != null) {
                try {
                    u.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }
        }
    }

    private final Map<UUID, Generation> inFlight = new ConcurrentHashMap<>();
    private final SessionEvents events;
    private final SessionConfig config;

    public Generations(SessionEvents events, SessionConfig config) {
        this.events = events;
        this.config = config;
        events.onCancelRequest(this::cancel);
    }

    /** Registers a streamed generation under both ids; call {@link #end} when it is over. */
    public Generation start(UUID userId, UUID userMessageId, UUID replyId) {
        Generation g = new Generation(userId);
        inFlight.put(userMessageId, g);
        inFlight.put(replyId, g);
        return g;
    }

    public void end(Generation g, UUID userMessageId, UUID replyId) {
        inFlight.remove(userMessageId, g);
        inFlight.remove(replyId, g);
    }

    /**
     * Stops a streamed generation in flight on this replica (by its user message's id or its reply's): the reply is
     * stored as {@code cancelled} with the text generated so far. False when none of this user's is in flight here.
     */
    public boolean cancel(UUID userId, UUID messageId) {
        Generation g = inFlight.get(messageId);
        if (g == null || !g.userId.equals(userId)) {
            return false;
        }
        g.cancel();
        return true;
    }

    /**
     * Asks the other replicas to stop the user's generation of {@code messageId} (call only for a user message of the
     * caller's that has no complete answer yet); true when the replica running it answered within {@code cancel-wait}.
     */
    public boolean cancelElsewhere(UUID userId, UUID messageId) {
        return events.cancelElsewhere(userId, messageId, config.cancelWait());
    }
}
