package dev.edgepush.forward.send;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The single place that decides what an HTTP result means for delivery: whatever can succeed later
 * is retried, and nothing is dropped without being counted.
 *
 * <ul>
 *   <li>2xx: {@link PushOutcome.Delivered}.
 *   <li>5xx, 429, 408: {@link PushOutcome.Retry}, honouring {@code Retry-After} (delta-seconds or
 *       HTTP-date), capped at {@link #MAX_RETRY_AFTER}; a past or unparsable value yields {@code
 *       after == null}, meaning "use the backoff".
 *   <li>Network error (no HTTP status at all): {@link PushOutcome.Retry} with {@code after == null}.
 *   <li>Anything else (1xx, 3xx, other 4xx, out-of-range codes): {@link PushOutcome.Rejected} with
 *       the body truncated to {@link #MAX_BODY_CHARS} characters.
 * </ul>
 *
 * Pure functions: no I/O, no clock reads (the caller passes {@code now}).
 */
public final class OutcomeClassifier {

    /** A server may not park a robot for longer than this, whatever its Retry-After says. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

    /** Rejected bodies are kept for logs only: 1 KiB is enough to read the error. */
    public static final int MAX_BODY_CHARS = 1024;

    private OutcomeClassifier() {}

    /**
     * Classifies an HTTP response.
     *
     * @param code HTTP status code
     * @param retryAfterHeader value of {@code Retry-After}, or {@code null}
     * @param bodyForRejects response body (may be {@code null}); only kept for rejects
     * @param now the current time, to turn an HTTP-date into a delay
     */
    public static PushOutcome classify(int code, String retryAfterHeader, String bodyForRejects, Instant now) {
        if (code >= 200 && code <= 299) {
            return new PushOutcome.Delivered(code);
        }
        if ((code >= 500 && code <= 599) || code == 429 || code == 408) {
            return new PushOutcome.Retry(code, parseRetryAfter(retryAfterHeader, now), "HTTP " + code);
        }
        return new PushOutcome.Rejected(code, truncate(bodyForRejects));
    }

    /** Classifies a failure that produced no HTTP status (connect, reset, timeout, ...). */
    public static PushOutcome networkError(IOException e) {
        String message = e.getMessage();
        return new PushOutcome.Retry(
                0, null, message != null ? message : e.getClass().getName());
    }

    /** Returns the delay asked for, capped; {@code null} if absent, past or unparsable. */
    static Duration parseRetryAfter(String header, Instant now) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (value.isEmpty()) {
            return null;
        }
        if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // More than 18 digits would overflow a long; it is far beyond the cap anyway.
            if (value.length() > 18) {
                return MAX_RETRY_AFTER;
            }
            return cap(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            return at.isAfter(now) ? cap(Duration.between(now, at)) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Duration cap(Duration d) {
        return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
    }

    private static String truncate(String body) {
        if (body == null) {
            return "";
        }
        if (body.length() <= MAX_BODY_CHARS) {
            return body;
        }
        int end = MAX_BODY_CHARS;
        if (Character.isHighSurrogate(body.charAt(end - 1))) {
            end--; // do not split a surrogate pair
        }
        return body.substring(0, end);
    }
}
