package dev.edgepush.forward.send;

/**
 * What a {@link Sender} reports. Each process renders these under its own metric names
 * (edge-agent: {@code edge_agent_*}, central-ingest: {@code central_ingest_*}); the sender only
 * counts. Called from the sender's thread; implementations are read from others, so thread-safe.
 */
public interface SendMetrics {
    /** One request answered with HTTP {@code code}, or {@code "error"} for a network error. */
    void request(String code);

    /** Compressed bytes of one request, as sent on the wire. */
    void requestBytes(long bytes);

    /** Samples the remote answered 2xx for. */
    void samplesSent(long samples);

    /** Samples given up on after a 4xx that can never succeed. */
    void samplesRejected(long samples);

    /** The scrape time of the oldest unsent excerpt, or 0 when nothing is pending. */
    void oldestPendingTimestampMs(long ms);

    /** The counter the log names when samples are rejected, e.g. {@code edge_agent_samples_dropped_total{reason="rejected"}}. */
    String rejectedCounter();
}
