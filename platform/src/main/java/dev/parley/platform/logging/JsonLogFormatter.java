package dev.parley.platform.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtLogRecord;

/**
 * One JSON object per line: timestamp, level, logger, thread, message, the logging context (request id, trace id)
 * and the exception if any. Used when {@code parley.log.json=true} (the quarkus-logging-json artifact is not
 * available from the registry this project builds against).
 */
public class JsonLogFormatter extends ExtFormatter {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final String service;

    public JsonLogFormatter(String service) {
        this.service = service;
    }

    @Override
    public String format(ExtLogRecord record) {
        Map<String, Object> line = new TreeMap<>();
        line.put("timestamp", Instant.ofEpochMilli(record.getMillis()).toString());
        line.put("level", record.getLevel().getName());
        line.put("logger", record.getLoggerName());
        line.put("thread", record.getThreadName());
        line.put("message", formatMessage(record));
        if (service != null) {
            line.put("service", service);
        }
        Map<String, String> mdc = record.getMdcCopy();
        if (mdc != null && !mdc.isEmpty()) {
            line.putAll(mdc);
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("exception", trace.toString());
        }
        try {
            return MAPPER.writeValueAsString(line) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            return "{\"level\":\"ERROR\",\"message\":\"unformattable log record\"}" + System.lineSeparator();
        }
    }
}
