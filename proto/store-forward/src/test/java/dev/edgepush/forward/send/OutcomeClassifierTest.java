package dev.edgepush.forward.send;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OutcomeClassifierTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private static String httpDate(Instant t) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
    }

    private static PushOutcome retry(Duration after, int code) {
        return new PushOutcome.Retry(code, after, "HTTP " + code);
    }

    static Stream<Arguments> table() {
        String longBody = "x".repeat(5000);
        return Stream.of(
                // code, Retry-After, body, expected
                Arguments.of(200, null, null, new PushOutcome.Delivered(200)),
                Arguments.of(204, "5", "ignored", new PushOutcome.Delivered(204)),
                Arguments.of(299, null, null, new PushOutcome.Delivered(299)),
                Arguments.of(500, null, "oops", retry(null, 500)),
                Arguments.of(503, "7", null, retry(Duration.ofSeconds(7), 503)),
                Arguments.of(599, null, null, retry(null, 599)),
                Arguments.of(429, "3", null, retry(Duration.ofSeconds(3), 429)),
                Arguments.of(429, " 3 ", null, retry(Duration.ofSeconds(3), 429)),
                Arguments.of(429, "0", null, retry(Duration.ZERO, 429)),
                Arguments.of(408, null, null, retry(null, 408)),
                Arguments.of(429, "600", null, retry(Duration.ofMinutes(10), 429)),
                Arguments.of(429, "601", null, retry(Duration.ofMinutes(10), 429)),
                Arguments.of(429, "99999999999999999999999", null, retry(Duration.ofMinutes(10), 429)),
                Arguments.of(429, "-5", null, retry(null, 429)),
                Arguments.of(429, "1.5", null, retry(null, 429)),
                Arguments.of(429, "soon", null, retry(null, 429)),
                Arguments.of(429, "", null, retry(null, 429)),
                Arguments.of(503, httpDate(NOW.plusSeconds(30)), null, retry(Duration.ofSeconds(30), 503)),
                Arguments.of(503, httpDate(NOW.plusSeconds(3600)), null, retry(Duration.ofMinutes(10), 503)),
                Arguments.of(503, httpDate(NOW.minusSeconds(30)), null, retry(null, 503)),
                Arguments.of(503, httpDate(NOW), null, retry(null, 503)),
                Arguments.of(503, "Sun, 99 Foo 2025 25:00:00 GMT", null, retry(null, 503)),
                Arguments.of(400, null, "bad label", new PushOutcome.Rejected(400, "bad label")),
                Arguments.of(400, "3", null, new PushOutcome.Rejected(400, "")),
                Arguments.of(401, null, "no", new PushOutcome.Rejected(401, "no")),
                Arguments.of(404, null, "", new PushOutcome.Rejected(404, "")),
                Arguments.of(413, null, longBody, new PushOutcome.Rejected(413, "x".repeat(1024))),
                Arguments.of(100, null, null, new PushOutcome.Rejected(100, "")),
                Arguments.of(302, null, "moved", new PushOutcome.Rejected(302, "moved")),
                Arguments.of(600, null, null, new PushOutcome.Rejected(600, "")),
                Arguments.of(0, null, null, new PushOutcome.Rejected(0, "")));
    }

    @ParameterizedTest(name = "[{index}] {0} Retry-After={1}")
    @MethodSource("table")
    void classifies(int code, String retryAfter, String body, PushOutcome expected) {
        assertEquals(expected, OutcomeClassifier.classify(code, retryAfter, body, NOW));
    }

    @Test
    void truncationDoesNotSplitSurrogatePair() {
        String body = "a".repeat(1023) + "\uD83D\uDE00" + "tail";
        PushOutcome outcome = OutcomeClassifier.classify(400, null, body, NOW);
        assertEquals(new PushOutcome.Rejected(400, "a".repeat(1023)), outcome);
    }

    @Test
    void networkErrorIsRetryWithBackoff() {
        assertEquals(
                new PushOutcome.Retry(0, null, "Connection reset"),
                OutcomeClassifier.networkError(new IOException("Connection reset")));
        assertEquals(
                new PushOutcome.Retry(0, null, SocketTimeoutException.class.getName()),
                OutcomeClassifier.networkError(new SocketTimeoutException()));
    }
}
