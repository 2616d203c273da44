package dev.parley.platform.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.MDC;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void oneJsonObjectPerLineWithTheRequestIdAndTheException() throws Exception {
        MDC.put("request_id", "req-42");
        try {
            ExtLogRecord record = new ExtLogRecord(java.util.logging.Level.WARNING, "user %s said \"hi\"\nthen left",
                    ExtLogRecord.FormatStyle.PRINTF, JsonLogFormatterTest.class.getName());
            record.setParameters(new Object[] {"alice"});
            record.setLoggerName("dev.parley.test");
            record.setThrown(new IllegalStateException("boom"));
            record.copyMdc();

            String line = new JsonLogFormatter("auth-service").format(record);

            assertTrue(line.endsWith(System.lineSeparator()));
            assertEquals(1, line.strip().lines().count(), "exactly one line: " + line);
            @SuppressWarnings("unchecked")
            Map<String, Object> json = mapper.readValue(line, Map.class);
            assertEquals("WARNING", json.get("level"));
            assertEquals("dev.parley.test", json.get("logger"));
            assertEquals("user alice said \"hi\"\nthen left", json.get("message"));
            assertEquals("auth-service", json.get("service"));
            assertEquals("req-42", json.get("request_id"));
            assertTrue(json.get("exception").toString().contains("IllegalStateException: boom"));
            assertTrue(json.get("timestamp").toString().endsWith("Z"));
        } finally {
            MDC.remove("request_id");
        }
    }
}
