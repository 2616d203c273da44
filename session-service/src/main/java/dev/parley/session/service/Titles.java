package dev.parley.session.service;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.parley.platform.ai.GatewayChatModels;
import dev.parley.session.ai.TitleWriter;
import dev.parley.session.config.SessionConfig;
import dev.parley.session.repository.SessionRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The title of an untitled session after its first exchange, written in the background (two threads of its own, off
 * the turn): a short one asked from {@code title-model}, else the session's model (not a {@code parley/} built-in,
 * which would only repeat the message), through the gateway AI service; with none, or when that fails, the first words
 * of the message. Set only while the session is still untitled, so a title the user gave meanwhile is kept.
 */
@ApplicationScoped
public class Titles {
    private static final Logger LOG = Logger.getLogger(Titles.class);

    private final SessionRepository sessions;
    private final SessionEvents events;
    private final SessionConfig config;
    private final GatewayChatModels ai;
    private final TitleWriter writer;
    private final ExecutorService background = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "session-titles");
        t.setDaemon(true);
        return t;
    });

    public Titles(SessionRepository sessions, SessionEvents events, SessionConfig config, GatewayChatModels ai, TitleWriter writer) {
        this.sessions = sessions;
        this.events = events;
        this.config = config;
        this.ai = ai;
        this.writer = writer;
    }

    /** Titles the session in the background from its first exchange (the turn ran {@code model}). */
    public void titleLater(UUID userId, UUID sessionId, String model, String question, String answer) {
        background.submit(() -> {
            String title = null;
            String titleModel = config.titleModel().orElse(model.startsWith("parley/") ? null : model);
            if (titleModel != null) {
                title = ask(userId, sessionId, titleModel, question, answer);
            }
            if (title == null || title.isBlank()) {
                title = firstWords(question);
            }
            String t = title;
            QuarkusTransaction.requiringNew().run(() -> {
                if (sessions.titleIfUntitled(sessionId, t, Instant.now())) {
                    events.publish(sessionId, "title.changed", Map.of("session_id", sessionId, "title", t));
                }
            });
        });
    }

    private String ask(UUID userId, UUID sessionId, String model, String question, String answer) {
        try {
            String t = ai.actingFor(userId, sessionId, model,
                    () -> writer.title("User: " + truncate(question, 2000) + "\nAssistant: " + truncate(answer, 2000)));
            t = t == null ? "" : t.strip().replaceAll("^[\"'«“]+|[\"'»”.]+$", "").strip();
            return t.isEmpty() ? null : truncate(t, 200);
        } catch (RuntimeException e) {
            // no usable model, a refusal or an unreachable gateway: the first words will do
            LOG.debugf("auto-title for session %s failed: %s", sessionId, e.getClass().getSimpleName());
            return null;
        }
    }

    /** The first six words of a message, at most 60 characters. */
    static String firstWords(String text) {
        String[] words = text.strip().split("\\s+");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(6, words.length); i++) {
            if (sb.length() + words[i].length() + 1 > 60) {
                break;
            }
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(words[i]);
        }
        return sb.isEmpty() ? truncate(text.strip(), 60) : sb.toString();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    @PreDestroy
    void stop() {
        background.shutdownNow();
    }
}
