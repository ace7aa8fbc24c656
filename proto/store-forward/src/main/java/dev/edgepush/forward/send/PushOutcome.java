package dev.edgepush.forward.send;

import java.time.Duration;

/**
 * What happened to one remote-write request, reduced to the three things delivery logic can do
 * about it. Only {@link OutcomeClassifier} creates these from HTTP results.
 */
public sealed interface PushOutcome {

    /** The receiver accepted the batch (2xx): the buffered data may be released. */
    record Delivered(int code) implements PushOutcome {}

    /**
     * Transient failure: send the same batch again later.
     *
     * @param code the HTTP status, or 0 for a network error
     * @param after how long the server asked us to wait, or {@code null} to use the backoff
     * @param reason short human-readable cause, for logs
     */
    record Retry(int code, Duration after, String reason) implements PushOutcome {}

    /**
     * Permanent failure: resending the same bytes will fail again, so the batch is dropped.
     *
     * @param body at most 1 KiB of the response body, for logs
     */
    record Rejected(int code, String body) implements PushOutcome {}
}
