package dev.parley.gateway.service;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

import dev.parley.gateway.config.GatewayConfig;

/** Retries on one deployment: {@code retry.max-attempts}, full-jitter exponential backoff, or the provider's Retry-After. */
final class RetryPolicy {
    final int maxAttempts;
    final long maxRetryAfterMs;
    private final long initialMs;
    private final long maxMs;

    RetryPolicy(GatewayConfig.Retry config) {
        this.maxAttempts = Math.max(1, config.maxAttempts());
        this.initialMs = config.initialBackoff().toMillis();
        this.maxMs = config.maxBackoff().toMillis();
        this.maxRetryAfterMs = config.maxRetryAfter().toMillis();
    }

    /** Delay before attempt number {@code attempt} (1 = the first retry): random in [cap/2, cap]. */
    long backoff(int attempt) {
        long cap = Math.min(maxMs, initialMs << Math.min(attempt - 1, 20));
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }

    /** A {@code Retry-After} header (seconds, or an HTTP date) as a delay in milliseconds; -1 when there is none to honour. */
    static long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            double seconds = Double.parseDouble(header.trim());
            return Double.isFinite(seconds) && seconds >= 0 ? (long) (seconds * 1000) : -1;
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Math.max(0, at.toEpochMilli() - System.currentTimeMillis());
            } catch (DateTimeParseException ex) {
                return -1;
            }
        }
    }
}
