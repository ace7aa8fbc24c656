package dev.edgepush.proto.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test sink: renders each sample as {@code name{a="v",...} value [@ts]}. */
final class Recorder implements SampleSink {
    final List<String> lines = new ArrayList<>();
    final List<Double> values = new ArrayList<>();
    final List<Long> timestamps = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final List<String[]> labelCopies = new ArrayList<>();

    @Override
    public void sample(String metricName, String[] labels, int labelPairs, double value, long timestampMs) {
        String[] copy = new String[2 * labelPairs];
        System.arraycopy(labels, 0, copy, 0, copy.length);
        record(series(metricName, labels, labelPairs), value, timestampMs);
        names.add(metricName);
        labelCopies.add(copy);
    }

    /** {@code name{a="v",...}}. */
    static String series(String metricName, String[] labels, int labelPairs) {
        StringBuilder sb = new StringBuilder(metricName).append('{');
        for (int i = 0; i < labelPairs; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(labels[2 * i]).append("=\"").append(labels[2 * i + 1]).append('"');
        }
        return sb.append('}').toString();
    }

    void record(String series, double value, long timestampMs) {
        StringBuilder sb = new StringBuilder(series).append(' ').append(value);
        if (timestampMs != Long.MIN_VALUE) {
            sb.append(" @").append(timestampMs);
        }
        lines.add(sb.toString());
        values.add(value);
        timestamps.add(timestampMs);
    }

    static List<String> text(String body) throws ExpositionParseException {
        return parse(body, ExpositionFormat.PROMETHEUS_TEXT).lines;
    }

    static List<String> om(String body) throws ExpositionParseException {
        return parse(body, ExpositionFormat.OPENMETRICS).lines;
    }

    /**
     * Parses body with a plain {@link SampleSink}, and checks that the raw-key path ({@link
     * SeriesKeySink}) gives the same samples, or the same error, both when every line's key is known
     * before ({@link KeyedRecorder#oracle}) and with a cache that learns keys, over two passes.
     */
    static Recorder parse(String body, ExpositionFormat format) throws ExpositionParseException {
        Recorder r = new Recorder();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ExpositionParseException error = null;
        try {
            int n = new ExpositionParser().parse(bytes, 0, bytes.length, format, r);
            if (n != r.lines.size()) {
                throw new AssertionError("returned " + n + " but sink got " + r.lines.size());
            }
        } catch (ExpositionParseException e) {
            error = e;
        }
        for (KeyedRecorder k : List.of(KeyedRecorder.oracle(), KeyedRecorder.learning())) {
            ExpositionParser parser = new ExpositionParser();
            for (int pass = 1; pass <= 2; pass++) {
                String what = k.kind + " raw-key path, pass " + pass + ", on: " + body;
                k.lines.clear();
                try {
                    int n = parser.parse(bytes, 0, bytes.length, format, k);
                    if (error != null) {
                        throw new AssertionError(
                                what + ": accepted what the full parse rejects with " + error.getMessage());
                    }
                    if (n != k.lines.size() || !k.lines.equals(r.lines)) {
                        throw new AssertionError(what + ": " + k.lines + " (" + n + ") instead of " + r.lines);
                    }
                } catch (ExpositionParseException e) {
                    if (error == null || !error.getMessage().equals(e.getMessage())) {
                        throw new AssertionError(what + ": error '" + e.getMessage() + "' instead of "
                                + (error == null ? "none" : "'" + error.getMessage() + "'"));
                    }
                }
            }
        }
        if (error != null) {
            throw error;
        }
        return r;
    }
}
