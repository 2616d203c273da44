package dev.parley.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

/** A provider's {@code Retry-After} header, read as a delay in milliseconds (-1 when there is none to honour). */
class RetryPolicyTest {

    @Test
    void retryAfterInSecondsIsConvertedToMillis() {
        assertEquals(2000, RetryPolicy.retryAfterMillis("2"));
        assertEquals(2000, RetryPolicy.retryAfterMillis(" 2 "));
    }

    @Test
    void fractionalRetryAfterIsAccepted() {
        assertEquals(500, RetryPolicy.retryAfterMillis("0.5"));
    }

    @Test
    void retryAfterAsHttpDateIsTheTimeUntilThatDate() {
        String inThreeSeconds = DateTimeFormatter.RFC_1123_DATE_TIME
                .format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(3));
        long millis = RetryPolicy.retryAfterMillis(inThreeSeconds);
        // the date has whole seconds: 3 s ahead, less up to one second truncated, less the time the test takes
        assertTrue(millis >= 1000 && millis <= 3500, "got " + millis + " ms for " + inThreeSeconds);
    }

    @Test
    void retryAfterDateInThePastMeansRetryNow() {
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).minusHours(1));
        assertEquals(0, RetryPolicy.retryAfterMillis(past));
    }

    @Test
    void unreadableRetryAfterIsIgnored() {
        assertEquals(-1, RetryPolicy.retryAfterMillis("soon"));
        assertEquals(-1, RetryPolicy.retryAfterMillis("Someday, 99 Foo 2025"));
    }

    @Test
    void missingOrBlankRetryAfterIsIgnored() {
        assertEquals(-1, RetryPolicy.retryAfterMillis(null));
        assertEquals(-1, RetryPolicy.retryAfterMillis(""));
        assertEquals(-1, RetryPolicy.retryAfterMillis("   "));
    }
}
