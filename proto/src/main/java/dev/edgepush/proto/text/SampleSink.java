package dev.edgepush.proto.text;

/** Receives the samples of one exposition, in the order they appear. */
@FunctionalInterface
public interface SampleSink {
    /**
     * One sample. labels holds name,value pairs: labels[0]=name0, labels[1]=value0, ... ; labelPairs
     * pairs are valid; the array is reused by the parser after the call returns (copy what you
     * keep). Label order = order in the exposition (not sorted). timestampMs = Long.MIN_VALUE when
     * the line has no timestamp.
     */
    void sample(String metricName, String[] labels, int labelPairs, double value, long timestampMs);
}
