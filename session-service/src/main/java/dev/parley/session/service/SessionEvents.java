package dev.parley.session.service;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.session.repository.SessionEventRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Each session's event stream, across every replica: an event is a row in {@code session_events} written in the
 * transaction of the change, plus a {@code NOTIFY} of its id (delivered by PostgreSQL only when that transaction
 * commits). Every replica LISTENs on one dedicated connection outside the pool and hands the events to the streams
 * open on it. Rows are kept an hour for {@code Last-Event-ID} resumes.
 * <p>
 * The queries are {@link SessionEventRepository}'s. The LISTEN connection stays here: it is not a query but a
 * connection of its own, outside the pool (a pooled one would be handed to other work and lose its LISTENs), opened
 * with the datasource's URL and credentials and kept for the notifications it receives.
 */
@ApplicationScoped
public class SessionEvents {
    private static final Logger LOG = Logger.getLogger(SessionEvents.class);
    public static final String CHANNEL = "parley_session_events";
    /** A replica asks the others to stop a generation: {@code <nonce>:<user id>:<message id>}. */
    public static final String CANCEL_CHANNEL = "parley_session_cancel";
    /** The replica that stopped it answers {@code <nonce>}. */
    public static final String CANCELLED_CHANNEL = "parley_session_cancelled";

    /** Stops a generation in flight on this replica; true when there was one of that user's. */
    public interface LocalCancel {
        boolean cancel(UUID userId, UUID messageId);
    }

    /** One event as a stream sends it. */
    public record Event(long id, UUID sessionId, String type, JsonNode data) { }

    private final SessionEventRepository rows;
    private final ObjectMapper mapper;
    private final String url;
    private final String user;
    private final String password;
    private final Map<UUID, Set<Consumer<Event>>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.CompletableFuture<Boolean>> cancelsAsked = new ConcurrentHashMap<>();
    private volatile LocalCancel localCancel = (u, m) -> false;
    private volatile boolean listening;
    private volatile boolean running;
    private Thread listener;

    public SessionEvents(SessionEventRepository rows, ObjectMapper mapper,
                         @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
                         @ConfigProperty(name = "quarkus.datasource.username") java.util.Optional<String> user,
                         @ConfigProperty(name = "quarkus.datasource.password") java.util.Optional<String> password) {
        this.rows = rows;
        this.mapper = mapper;
        this.url = url;
        this.user = user.orElse(null);
        this.password = password.orElse(null);
    }

    /** Records an event; call inside the transaction of the change (the NOTIFY goes out when it commits). */
    public void publish(UUID sessionId, String type, Map<String, Object> data) {
        String json;
        try {
            json = mapper.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        rows.insertAndNotify(CHANNEL, sessionId, type, json);
    }

    /** Events of a session after {@code afterId}, oldest first (a reconnecting stream's gap). */
    public List<Event> since(UUID sessionId, long afterId) {
        return rows.since(sessionId, afterId).stream().map(r -> new Event(r.id(), sessionId, r.type(), parse(r.data()))).toList();
    }

    /** What this replica does when another asks it to stop a generation. */
    public void onCancelRequest(LocalCancel handler) {
        this.localCancel = handler;
    }

    /**
     * Asks every other replica to stop the user's generation of {@code messageId}; true when one answers within
     * {@code wait} that it did (false when none runs it, or this replica cannot hear answers right now).
     */
    public boolean cancelElsewhere(UUID userId, UUID messageId, java.time.Duration wait) {
        if (!listening) {
            return false;
        }
        String nonce = UUID.randomUUID().toString();
        var answer = new java.util.concurrent.CompletableFuture<Boolean>();
        cancelsAsked.put(nonce, answer);
        try {
            notify(CANCEL_CHANNEL, nonce + ":" + userId + ":" + messageId);
            return answer.get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            cancelsAsked.remove(nonce);
        }
    }

    private void notify(String channel, String payload) {
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> rows.notify(channel, payload));
    }

    public Runnable subscribe(UUID sessionId, Consumer<Event> consumer) {
        subscribers.computeIfAbsent(sessionId, k -> new CopyOnWriteArraySet<>()).add(consumer);
        return () -> subscribers.computeIfPresent(sessionId, (k, set) -> {
            set.remove(consumer);
            return set.isEmpty() ? null : set;
        });
    }

    void start(@Observes StartupEvent e) {
        running = true;
        listener = new Thread(this::listen, "session-events-listener");
        listener.setDaemon(true);
        listener.start();
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    /** LISTEN on a connection of its own; reconnects after a failure (events of the gap come from the table). */
    private void listen() {
        while (running) {
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                    s.execute("LISTEN " + CANCEL_CHANNEL);
                    s.execute("LISTEN " + CANCELLED_CHANNEL);
                }
                listening = true;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] got = pg.getNotifications(1000);
                    if (got == null) {
                        continue;
                    }
                    for (PGNotification n : got) {
                        switch (n.getName()) {
                            case CANCEL_CHANNEL -> cancelRequested(n.getParameter());
                            case CANCELLED_CHANNEL -> {
                                var asked = cancelsAsked.get(n.getParameter());
                                if (asked != null) {
                                    asked.complete(true);
                                }
                            }
                            default -> dispatch(n.getParameter());
                        }
                    }
                }
            } catch (Exception ex) {
                listening = false;
                if (running) {
                    LOG.warnf("Session event listener lost its connection (%s); reconnecting", ex.getMessage());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    /** Another replica asks for a stop: only the replica running that generation answers. */
    private void cancelRequested(String payload) {
        String[] parts = payload.split(":");
        if (parts.length != 3 || cancelsAsked.containsKey(parts[0])) {
            return; // malformed, or this replica's own question
        }
        try {
            if (localCancel.cancel(UUID.fromString(parts[1]), UUID.fromString(parts[2]))) {
                notify(CANCELLED_CHANNEL, parts[0]);
            }
        } catch (RuntimeException ex) {
            LOG.warnf("A cancel request from another replica failed here: %s", ex.getMessage());
        }
    }

    private void dispatch(String payload) {
        int colon = payload.indexOf(':');
        if (colon < 0) {
            return;
        }
        UUID sessionId;
        long id;
        try {
            id = Long.parseLong(payload.substring(0, colon));
            sessionId = UUID.fromString(payload.substring(colon + 1));
        } catch (IllegalArgumentException ex) {
            return;
        }
        Set<Consumer<Event>> subs = subscribers.get(sessionId);
        if (subs == null || subs.isEmpty()) {
            return;
        }
        // The row is read once for every stream of the session on this replica.
        List<Event> events = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> since(sessionId, id - 1));
        for (Event ev : events) {
            if (ev.id() == id) {
                subs.forEach(s -> s.accept(ev));
            }
        }
    }

    @Scheduled(every = "10m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(rows::prune);
    }

    private JsonNode parse(String json) {
        try {
            return mapper.readTree(json);
        } catch (java.io.IOException e) {
            return mapper.createObjectNode();
        }
    }
}
