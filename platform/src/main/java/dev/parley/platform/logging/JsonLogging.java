package dev.parley.platform.logging;

import java.util.logging.Handler;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.handlers.ConsoleHandler;

/** Switches the console log to one JSON object per line when {@code parley.log.json=true}. */
@ApplicationScoped
public class JsonLogging {
    private final boolean enabled;
    private final String service;

    public JsonLogging(@ConfigProperty(name = "parley.log.json", defaultValue = "false") boolean enabled,
                       @ConfigProperty(name = "quarkus.application.name", defaultValue = "parley") String service) {
        this.enabled = enabled;
        this.service = service;
    }

    void onStart(@Observes StartupEvent event) {
        if (enabled) {
            JsonLogFormatter formatter = new JsonLogFormatter(service);
            for (Handler h : LogContext.getLogContext().getLogger("").getHandlers()) {
                apply(h, formatter);
            }
        }
    }

    private static void apply(Handler handler, JsonLogFormatter formatter) {
        if (handler instanceof ConsoleHandler) {
            handler.setFormatter(formatter);
        }
        if (handler instanceof ExtHandler ext) {
            for (Handler child : ext.getHandlers()) {
                apply(child, formatter);
            }
        }
    }
}
