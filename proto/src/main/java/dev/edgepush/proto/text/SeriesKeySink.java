package dev.edgepush.proto.text;

/**
 * Receives the samples of one exposition, in the order they appear, and remembers series by
 * their <em>key</em>: the bytes of the sample line from the start of the metric name to the end
 * of the label block ({@code name{...}}, {@code "name"{...}}, {@code {"name",...}}), or just the
 * name when there is no label block, exactly as the target wrote them (the value, timestamp and
 * an OpenMetrics exemplar are not part of it). Identical key bytes always parse to the same
 * metric name and labels, so for a key the sink knows the parser skips label parsing and
 * decoding and passes only the value and timestamp. The key is not canonical: two spellings of
 * one series (escapes, spaces, label order, empty braces) are two keys.
 *
 * <p>For each sample line the parser calls {@link #find} with the line's key; if it returns a
 * series, the rest of the line is parsed and checked as always and {@link #sample(Object,
 * double, long)} gets it; otherwise the line is parsed in full and {@link #sample(byte[], int,
 * int, int, String, String[], int, double, long)} gets the labels and the key, which the sink
 * may keep (copy the bytes) so that the next {@code find} of the same bytes answers. A line the
 * parser rejects reaches neither sample method.
 *
 * @param <S> what the sink resolves a key to
 */
public interface SeriesKeySink<S> {
    /**
     * The series the sink keeps for the key b[off, off+len), or null. hash is a function of those
     * bytes only (the same bytes always give the same hash), computed by the parser.
     */
    S find(byte[] b, int off, int len, int hash);

    /** A sample of a series {@link #find} returned. timestampMs as in {@link SampleSink}. */
    void sample(S series, double value, long timestampMs);

    /**
     * A sample whose key {@link #find} did not know, parsed in full: metricName, labels,
     * labelPairs, value and timestampMs as in {@link SampleSink#sample} (the label array is reused
     * after the call returns). The key is b[keyOff, keyOff+keyLen) with the hash {@link #find}
     * got; keyLen is -1 when the line's key could not be delimited, and then it must not be kept.
     */
    void sample(
            byte[] b,
            int keyOff,
            int keyLen,
            int keyHash,
            String metricName,
            String[] labels,
            int labelPairs,
            double value,
            long timestampMs);
}
