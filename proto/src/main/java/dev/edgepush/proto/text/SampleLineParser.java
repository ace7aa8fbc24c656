package dev.edgepush.proto.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses one sample line (already split off, without its line terminator) and hands the sample
 * to the sink: the metric name and labels here, the rest through {@link SampleValueParser}. Holds the reusable label array, the unescape scratch buffer and the string caches.
 * Not thread-safe.
 */
final class SampleLineParser {
    // Created by the first parse with a plain SampleSink (~150 KB of tables, plus what they hold):
    // with a SeriesKeySink only lines of new series are decoded, and their Strings are not kept.
    private StringCache nameCache;
    private StringCache valueCache;
    private byte[] scratch = new byte[128];
    private String[] labels = new String[32];
    private final SampleValueParser values = new SampleValueParser();
    /** Label names of the line being parsed once it has many: the duplicate check stays linear. */
    private final java.util.HashSet<String> manyNames = new java.util.HashSet<>();

    private static final int LINEAR_DUPLICATE_CHECK_PAIRS = 16;
    private int maxLabels; // 0: no limit; counts the metric name as vmagent does
    private int maxLabelNameBytes;
    private int maxLabelValueChars;

    // Per-line state.
    private byte[] b;
    private int lineStart;
    private int end;
    private int lineNo;
    private int pos;
    private String metricName;
    private StringCache names; // this body's caches; null: decode without caching
    private StringCache labelValues;
    private int seriesEnd; // end of the label block, or of the name without one (parseSeries)

    /**
     * Before the lines of a body: whether decoded names and label values go through the string
     * caches (with a plain SampleSink) or not (with a SeriesKeySink).
     */
    void cacheStrings(boolean cache) {
        if (cache && nameCache == null) {
            nameCache = new StringCache(4096, 256);
            valueCache = new StringCache(8192, 64);
        }
        names = cache ? nameCache : null;
        labelValues = cache ? valueCache : null;
    }

    /** See {@link ExpositionParser#limits}. */
    void limits(int maxLabels, int maxLabelNameBytes, int maxLabelValueChars) {
        this.maxLabels = Math.max(0, maxLabels);
        this.maxLabelNameBytes = Math.max(0, maxLabelNameBytes);
        this.maxLabelValueChars = Math.max(0, maxLabelValueChars);
    }

    /**
     * Parses the sample in b[first, end); lineStart is where the line starts (for messages).
     *
     * @param openMetrics timestamps in seconds and exemplars allowed
     */
    void parse(byte[] b, int lineStart, int first, int end, int lineNo, boolean openMetrics, SampleSink sink)
            throws ExpositionParseException {
        start(b, lineStart, first, end, lineNo);
        try {
            int pairs = parseSeries();
            values.parse(b, lineStart, pos, end, lineNo, openMetrics);
            sink.sample(metricName, labels, pairs, values.value(), values.timestampMs());
        } finally {
            this.b = null;
        }
    }

    /**
     * As {@link #parse(byte[], int, int, int, int, boolean, SampleSink)}, but a line whose series
     * key the sink knows skips the metric name and labels: see {@link SeriesKeySink}. Identical key
     * bytes parse identically, and parsing the name and labels never looks past the key (the key
     * ends at the '}' that closes the label block, or at the name, which a space or the line end
     * must follow), so for known key bytes only the value, timestamp and exemplar are left to
     * check, exactly as the full parse checks them.
     */
    <S> void parse(byte[] b, int lineStart, int first, int end, int lineNo, boolean openMetrics, SeriesKeySink<S> sink)
            throws ExpositionParseException {
        start(b, lineStart, first, end, lineNo);
        try {
            int keyEnd = Bytes.seriesKeyEnd(b, first, end);
            int hash = 0;
            if (keyEnd > first) {
                hash = Bytes.hash(b, first, keyEnd - first);
                S series = sink.find(b, first, keyEnd - first, hash);
                if (series != null) {
                    values.parse(b, lineStart, keyEnd, end, lineNo, openMetrics);
                    sink.sample(series, values.value(), values.timestampMs());
                    return;
                }
            }
            int pairs = parseSeries();
            values.parse(b, lineStart, pos, end, lineNo, openMetrics);
            // For a line the full parse accepts, seriesKeyEnd finds the same end; -1 is defensive.
            int keyLen = keyEnd > first && keyEnd == seriesEnd ? keyEnd - first : -1;
            sink.sample(b, first, keyLen, hash, metricName, labels, pairs, values.value(), values.timestampMs());
        } finally {
            this.b = null;
        }
    }

    private void start(byte[] b, int lineStart, int first, int end, int lineNo) {
        this.b = b;
        this.lineStart = lineStart;
        this.end = end;
        this.lineNo = lineNo;
        this.pos = first;
        this.metricName = null;
    }

    /**
     * Reads the metric name and labels at pos into metricName and labels; returns the number of
     * label pairs. Sets seriesEnd to the end of the label block, or of the name when there is none.
     */
    private int parseSeries() throws ExpositionParseException {
        if (b[pos] == '"') {
            metricName = readQuoted(names, "quoted metric name");
            if (metricName.isEmpty()) {
                throw error("empty metric name");
            }
            if (pos < end && b[pos] != '{' && !Bytes.isWs(b[pos])) {
                throw error("expected '{' or a space after the quoted metric name");
            }
        } else if (b[pos] != '{') {
            readBareMetricName();
        }
        seriesEnd = pos;
        pos = Bytes.skipWs(b, pos, end);
        int pairs = 0;
        if (pos < end && b[pos] == '{') {
            pos++;
            pairs = readLabels();
            seriesEnd = pos;
        }
        if (metricName == null) {
            throw error("missing metric name");
        }
        return pairs;
    }

    private void readBareMetricName() throws ExpositionParseException {
        int start = pos;
        int nameEnd = Bytes.nameEnd(b, pos, end, Bytes.METRIC_START, Bytes.METRIC_PART);
        if (nameEnd == start || (nameEnd < end && b[nameEnd] != '{' && !Bytes.isWs(b[nameEnd]))) {
            int tokEnd = start;
            while (tokEnd < end && b[tokEnd] != '{' && !Bytes.isWs(b[tokEnd])) {
                tokEnd++;
            }
            throw error("invalid metric name '" + token(start, tokEnd) + "'");
        }
        metricName = decode(names, b, start, nameEnd - start);
        pos = nameEnd;
    }

    /** Labels after '{' up to and including '}'; returns the number of pairs stored. */
    private int readLabels() throws ExpositionParseException {
        int pairs = 0;
        while (true) {
            pos = Bytes.skipWs(b, pos, end);
            if (pos == end) {
                throw error("missing closing '}'");
            }
            if (b[pos] == '}') {
                pos++;
                return pairs;
            }
            int nameStart = pos;
            String labelName;
            if (b[pos] == '"') {
                String quoted = readQuoted(names, "quoted label name");
                pos = Bytes.skipWs(b, pos, end);
                if (pos < end && (b[pos] == ',' || b[pos] == '}')) {
                    // Prometheus 3 style: a lone quoted string in the braces is the metric name.
                    if (metricName != null) {
                        throw error("metric name given twice ('" + metricName + "' and '" + quoted + "')");
                    }
                    if (quoted.isEmpty()) {
                        throw error("empty metric name");
                    }
                    metricName = quoted;
                    if (b[pos] == ',') {
                        pos++;
                    }
                    continue;
                }
                if (quoted.isEmpty()) {
                    throw error("empty label name");
                }
                labelName = quoted;
            } else {
                int nameEnd = Bytes.nameEnd(b, pos, end, Bytes.LABEL_START, Bytes.LABEL_PART);
                pos = Bytes.skipWs(b, nameEnd, end);
                if (nameEnd == nameStart || pos == end || b[pos] != '=') {
                    throw badLabelName(nameStart, nameEnd);
                }
                labelName = decode(names, b, nameStart, nameEnd - nameStart);
            }
            pos = Bytes.skipWs(b, pos, end);
            if (pos == end || b[pos] != '=') {
                throw error("missing '=' after label name '" + labelName + "'");
            }
            pos = Bytes.skipWs(b, pos + 1, end);
            if (pos == end || b[pos] != '"') {
                throw error("missing opening '\"' for the value of label '" + labelName + "'");
            }
            if (maxLabelNameBytes > 0 && labelName.length() > maxLabelNameBytes) {
                throw overLimit("label name '"
                        + Bytes.text(
                                b,
                                nameStart,
                                Math.min(end, nameStart + Bytes.MAX_TOKEN_EXCERPT),
                                Bytes.MAX_TOKEN_EXCERPT)
                        + "...' is longer than " + maxLabelNameBytes + " (-maxLabelNameLen="
                        + maxLabelNameBytes + ")");
            }
            if (maxLabels > 0 && pairs + 2 > maxLabels) {
                throw overLimit("more than " + maxLabels + " labels (-maxLabelsPerTimeseries=" + maxLabels + ")");
            }
            String labelValue = readQuoted(labelValues, "label value");
            if (maxLabelValueChars > 0 && labelValue.length() > maxLabelValueChars) {
                throw overLimit("the value of label '" + labelName + "' is " + labelValue.length()
                        + " characters, over -maxLabelValueLen=" + maxLabelValueChars);
            }
            if (pairs < LINEAR_DUPLICATE_CHECK_PAIRS) {
                for (int k = 0; k < 2 * pairs; k += 2) {
                    if (labels[k].equals(labelName)) {
                        throw error("duplicate label name '" + labelName + "'");
                    }
                }
            } else {
                if (pairs == LINEAR_DUPLICATE_CHECK_PAIRS) { // quadratic no more: 100,000 labels took 37 s
                    manyNames.clear();
                    for (int k = 0; k < 2 * pairs; k += 2) {
                        manyNames.add(labels[k]);
                    }
                }
                if (!manyNames.add(labelName)) {
                    throw error("duplicate label name '" + labelName + "'");
                }
            }
            if (2 * pairs + 2 > labels.length) {
                labels = Arrays.copyOf(labels, labels.length * 2);
            }
            labels[2 * pairs] = labelName;
            labels[2 * pairs + 1] = labelValue;
            pairs++;
            pos = Bytes.skipWs(b, pos, end);
            if (pos == end) {
                throw error("missing closing '}'");
            }
            if (b[pos] == ',') {
                pos++;
            } else if (b[pos] != '}') {
                throw error("missing ',' or closing '}' after the value of label '" + labelName + "'");
            }
        }
    }

    /**
     * The error for a bare label name at nameStart that is empty or not followed by '='. If an '='
     * follows before any ',', '}' or '"', the text up to it was meant as a name: report it as an
     * invalid label name; otherwise the '=' is missing.
     */
    private ExpositionParseException badLabelName(int nameStart, int nameEnd) {
        int i = nameStart;
        while (i < end && b[i] != '=' && b[i] != ',' && b[i] != '}' && b[i] != '"') {
            i++;
        }
        if (nameEnd > nameStart && (i == end || b[i] != '=')) {
            return error("missing '=' after label name '" + token(nameStart, nameEnd) + "'");
        }
        int tokEnd = i;
        while (tokEnd > nameStart && Bytes.isWs(b[tokEnd - 1])) {
            tokEnd--;
        }
        return error("invalid label name '" + token(nameStart, tokEnd) + "'");
    }

    /**
     * Reads the quoted string at pos (b[pos] == '"'), unescaping \\, \" and \n; any other
     * backslash sequence is kept as is, like Prometheus does. Leaves pos after the closing quote.
     */
    private String readQuoted(StringCache cache, String what) throws ExpositionParseException {
        int start = pos + 1;
        int i = start;
        while (i < end && b[i] != '"' && b[i] != '\\') {
            i++;
        }
        if (i == end) {
            throw error("unterminated " + what);
        }
        if (b[i] == '"') {
            pos = i + 1;
            return decode(cache, b, start, i - start);
        }
        int n = i - start;
        ensureScratch(n + (end - i));
        System.arraycopy(b, start, scratch, 0, n);
        while (i < end) {
            byte c = b[i];
            if (c == '"') {
                pos = i + 1;
                return decode(cache, scratch, 0, n);
            }
            if (c == '\\') {
                if (i + 1 == end) {
                    break;
                }
                byte next = b[i + 1];
                if (next == '\\' || next == '"') {
                    scratch[n++] = next;
                    i += 2;
                    continue;
                }
                if (next == 'n') {
                    scratch[n++] = '\n';
                    i += 2;
                    continue;
                }
            }
            scratch[n++] = c;
            i++;
        }
        throw error("unterminated " + what);
    }

    /** The UTF-8 bytes src[off, off+len) as a String, through cache unless it is null. */
    private static String decode(StringCache cache, byte[] src, int off, int len) {
        return cache != null ? cache.get(src, off, len) : new String(src, off, len, StandardCharsets.UTF_8);
    }

    private void ensureScratch(int n) {
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
    }

    private String token(int s, int e) {
        return Bytes.text(b, s, e, Bytes.MAX_TOKEN_EXCERPT);
    }

    /** A limit error naming the series: its metric name (when read yet) and the start of the line. */
    private ExpositionParseException overLimit(String problem) {
        String series = metricName != null ? metricName : "?";
        return ExpositionParseException.overLimit(
                lineNo,
                "series " + series + " has " + problem + " in '"
                        + Bytes.text(b, lineStart, end, ExpositionParseException.MAX_LINE_EXCERPT) + "'");
    }

    private ExpositionParseException error(String problem) {
        return ExpositionParseException.at(lineNo, problem, b, lineStart, end);
    }
}
