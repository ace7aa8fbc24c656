package dev.edgepush.proto.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test {@link SeriesKeySink}: renders samples as {@link Recorder} does. A series is its rendered
 * {@code name{a="v",...}}. Two kinds:
 *
 * <ul>
 *   <li>{@link #learning}: a cache of the keys the parser passed on misses, as the agent keeps;
 *       also fails on a miss without a key (keyLen -1), which a line that parsed must not have.
 *   <li>{@link #oracle}: knows every key that a sample line could have had before, that is every
 *       key for which the line {@code key 0} parses (then the series is what it parses to), so
 *       every line whose key bytes are valid takes the hit path.
 * </ul>
 */
final class KeyedRecorder implements SeriesKeySink<String> {
    final String kind;
    final List<String> lines = new ArrayList<>();
    /** Keys given on misses. */
    final List<String> missKeys = new ArrayList<>();
    /** Keys found by find. */
    final List<String> hitKeys = new ArrayList<>();

    private final Map<String, String> known = new HashMap<>();
    private final Recorder out = new Recorder();

    private KeyedRecorder(String kind) {
        this.kind = kind;
    }

    static KeyedRecorder learning() {
        return new KeyedRecorder("learning");
    }

    static KeyedRecorder oracle() {
        return new KeyedRecorder("oracle");
    }

    @Override
    public String find(byte[] b, int off, int len, int hash) {
        String key = new String(b, off, len, StandardCharsets.ISO_8859_1); // byte-exact
        if (hash != Bytes.hash(b, off, len)) {
            throw new AssertionError("hash of '" + key + "' is not Bytes.hash");
        }
        String series = known.get(key);
        if (series == null && kind.equals("oracle")) {
            series = parseKey(b, off, len);
        }
        if (series != null) {
            hitKeys.add(key);
        }
        return series;
    }

    /** The series of the line "key 0", or null if it does not parse. */
    private static String parseKey(byte[] b, int off, int len) {
        byte[] line = new byte[len + 2];
        System.arraycopy(b, off, line, 0, len);
        line[len] = ' ';
        line[len + 1] = '0';
        Recorder r = new Recorder();
        try {
            new ExpositionParser().parse(line, 0, line.length, ExpositionFormat.PROMETHEUS_TEXT, r);
        } catch (ExpositionParseException e) {
            return null;
        }
        String l = r.lines.get(0);
        return l.substring(0, l.length() - " 0.0".length());
    }

    @Override
    public void sample(String series, double value, long timestampMs) {
        record(series, value, timestampMs);
    }

    @Override
    public void sample(
            byte[] b,
            int keyOff,
            int keyLen,
            int keyHash,
            String metricName,
            String[] labels,
            int labelPairs,
            double value,
            long timestampMs) {
        String series = Recorder.series(metricName, labels, labelPairs);
        if (keyLen < 0) {
            throw new AssertionError("a line that parsed has no key: " + series);
        }
        String key = new String(b, keyOff, keyLen, StandardCharsets.ISO_8859_1);
        missKeys.add(key);
        if (keyHash != Bytes.hash(b, keyOff, keyLen)) {
            throw new AssertionError("hash of '" + key + "' is not Bytes.hash");
        }
        if (kind.equals("learning")) {
            known.put(key, series);
        }
        record(series, value, timestampMs);
    }

    private void record(String series, double value, long timestampMs) {
        out.lines.clear();
        out.record(series, value, timestampMs);
        lines.add(out.lines.get(0));
    }
}
