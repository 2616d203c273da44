package dev.parley.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;

/**
 * Captures every log record of the running application (root logger, all levels that are enabled) with its
 * formatted message and exception text, so tests can assert what never appears in the logs.
 */
public final class LogCapture implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final Handler handler;
    private final Logger root;

    private LogCapture() {
        root = LogContext.getLogContext().getLogger("");
        handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                StringBuilder sb = new StringBuilder();
                sb.append(record.getLoggerName()).append(' ').append(record.getMessage());
                if (record.getParameters() != null) {
                    for (Object p : record.getParameters()) {
                        sb.append(' ').append(p);
                    }
                }
                Throwable t = record.getThrown();
                while (t != null) {
                    sb.append(' ').append(t);
                    t = t.getCause();
                }
                synchronized (lines) {
                    lines.add(sb.toString());
                }
            }

            @Override public void flush() { }
            @Override public void close() { }
        };
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
    }

    public static LogCapture start() {
        return new LogCapture();
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        root.removeHandler(handler);
    }
}
