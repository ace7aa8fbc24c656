package dev.edgepush.proto.text;

import java.util.Objects;

/**
 * A streaming parser for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text.
 * It reads the UTF-8 bytes directly and passes each sample to a {@link SampleSink} as soon as
 * its line is parsed; metric names, label names and short label values are decoded once and
 * cached across calls, so repeated scrapes of the same target allocate little. With a {@link
 * SeriesKeySink} (what the scrape loop uses) the sink remembers series by the raw bytes of
 * their name and labels instead, a line of a series it knows is not decoded at all, and the
 * parser keeps no decoded strings.
 *
 * <p><b>Accepts:</b>
 *
 * <ul>
 *   <li>Lines ending in {@code \n} or {@code \r\n}; the last line may lack a terminator. Blank
 *       lines, and spaces or tabs around every token.
 *   <li>{@code # HELP name text} (any text), {@code # TYPE name type} (text: counter, gauge,
 *       histogram, summary, untyped; OpenMetrics: also gaugehistogram, stateset, info, unknown
 *       instead of untyped), {@code # UNIT name unit} in OpenMetrics; any other {@code #} line is
 *       a comment.
 *   <li>Samples {@code name{label="value",...} value [timestamp]}: metric names
 *       {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, label names {@code [a-zA-Z_][a-zA-Z0-9_]*}, a trailing
 *       comma and empty braces; label values in UTF-8 with the escapes {@code \\}, {@code \"} and
 *       {@code \n} (any other backslash pair is kept verbatim, as Prometheus does). Invalid UTF-8
 *       is not an error: it decodes to U+FFFD.
 *   <li>Prometheus 3 quoted UTF-8 names: {@code "my.metric"{a="b"}}, {@code {"my.metric",
 *       "a.b"="v"}} and quoted label names.
 *   <li>Values as Go's ParseFloat reads them (what Prometheus uses): decimal and hex floats
 *       ({@code 0x1p-2}), an optional sign, {@code NaN}, {@code Inf}, {@code +Inf}, {@code -Inf}
 *       (case-insensitive, also {@code Infinity}).
 *   <li>Text timestamps: int64 milliseconds, may be negative. OpenMetrics timestamps: seconds,
 *       maybe fractional, converted exactly to milliseconds (rounded half away from zero).
 *   <li>OpenMetrics exemplars ({@code ... # {trace_id="x"} 1 [ts]}) are checked and skipped.
 *   <li>Histogram, summary, {@code _total} and {@code _created} samples are plain samples.
 * </ul>
 *
 * <p><b>Rejects</b> (throwing {@link ExpositionParseException} with the 1-based line number and
 * the offending text): invalid metric or label names, a missing {@code =}, opening quote or
 * closing brace, unterminated quoted strings, duplicate label names in one sample, a
 * missing or unparsable value (including out-of-range values like {@code 1e400}), a malformed
 * timestamp, text after the timestamp, malformed {@code # TYPE} lines and, in OpenMetrics, a
 * missing {@code # EOF} or anything after it but one final newline. TYPE/HELP placement and
 * sample ordering are not checked, and empty label values are passed through.
 *
 * <p><b>Not thread-safe:</b> an instance keeps reusable buffers and caches; use one per thread
 * (e.g. one per scrape loop) and reuse it across scrapes.
 */
public final class ExpositionParser {
    private final SampleLineParser samples = new SampleLineParser();

    public ExpositionParser() {}

    /**
     * Parses body[offset, offset+length) as UTF-8. Calls sink for each sample, in order. On any
     * error throws; the caller then discards everything the sink got for this body (a malformed
     * exposition fails the whole scrape). Returns the number of samples passed to the sink.
     */
    public int parse(byte[] body, int offset, int length, ExpositionFormat format, SampleSink sink)
            throws ExpositionParseException {
        return parse(body, offset, length, format, sink, null);
    }

    /**
     * As {@link #parse(byte[], int, int, ExpositionFormat, SampleSink)}, but the sink remembers
     * series by the raw bytes of their name and labels, and a line whose series it knows is passed
     * without parsing them again: see {@link SeriesKeySink}. Accepts and rejects exactly the same
     * input, with the same errors.
     */
    public int parse(byte[] body, int offset, int length, ExpositionFormat format, SeriesKeySink<?> sink)
            throws ExpositionParseException {
        return parse(body, offset, length, format, null, sink);
    }

    /** At most one of sink and keyed is non-null. */
    private int parse(
            byte[] body, int offset, int length, ExpositionFormat format, SampleSink sink, SeriesKeySink<?> keyed)
            throws ExpositionParseException {
        Objects.requireNonNull(body, "body");
        Objects.checkFromIndexSize(offset, length, body.length);
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(keyed != null ? keyed : sink, "sink");
        Lines st = new Lines(format == ExpositionFormat.OPENMETRICS);
        samples.cacheStrings(keyed == null);
        parseLines(body, offset, offset + length, sink, keyed, st);
        st.end();
        return st.count;
    }

    /**
     * Limits every sample line is checked against, as vmagent's {@code -maxLabelsPerTimeseries},
     * {@code -maxLabelNameLen} and {@code -maxLabelValueLen}; 0 = no limit. A line past one fails
     * the parse with an {@link ExpositionLimitException} naming the series and the limit, as soon
     * as the limit is passed (a line with 100,000 labels is refused at the first label too many).
     */
    public ExpositionParser limits(int maxLabels, int maxLabelNameBytes, int maxLabelValueBytes) {
        samples.limits(maxLabels, maxLabelNameBytes, maxLabelValueBytes);
        return this;
    }

    /**
     * An exposition parsed as it arrives, in pieces of any size cut anywhere: each piece's complete
     * lines are parsed at once (a line cut by a piece's end is kept until its end arrives), so
     * nothing but the unfinished last line is held, whatever the size of the body. Accepts and
     * rejects exactly what {@link #parse(byte[], int, int, ExpositionFormat, SeriesKeySink)} does,
     * with the same line numbers. The parser must not be used for anything else until {@link
     * Stream#end} (or the first error).
     */
    public Stream stream(ExpositionFormat format, SeriesKeySink<?> sink) {
        return new Stream(Objects.requireNonNull(format, "format"), Objects.requireNonNull(sink, "sink"));
    }

    /** See {@link #stream}. */
    public final class Stream {
        private final SeriesKeySink<?> sink;
        private final Lines st;
        private byte[] carry = new byte[256];
        private int carryLen;

        private Stream(ExpositionFormat format, SeriesKeySink<?> sink) {
            this.sink = sink;
            this.st = new Lines(format == ExpositionFormat.OPENMETRICS);
        }

        /** Parses the complete lines of b[off, off+len) (with what an earlier piece left unfinished). */
        public void feed(byte[] b, int off, int len) throws ExpositionParseException {
            samples.cacheStrings(false);
            int end = off + len;
            int pos = off;
            if (carryLen > 0) {
                int nl = indexOf(b, pos, end);
                int upTo = nl < 0 ? end : nl + 1;
                keep(b, pos, upTo);
                if (nl < 0) {
                    return;
                }
                parseLines(carry, 0, carryLen, null, sink, st);
                carryLen = 0;
                if (carry.length > 64 * 1024) {
                    carry = new byte[256]; // a long line passed: do not keep its room
                }
                pos = upTo;
            }
            int last = end - 1;
            while (last >= pos && b[last] != '\n') {
                last--;
            }
            if (last >= pos) {
                parseLines(b, pos, last + 1, null, sink, st);
                pos = last + 1;
            }
            keep(b, pos, end);
        }

        /** Parses the last line (the body may lack a final newline) and checks the end; returns the samples. */
        public int end() throws ExpositionParseException {
            if (carryLen > 0) {
                parseLines(carry, 0, carryLen, null, sink, st);
                carryLen = 0;
            }
            st.end();
            return st.count;
        }

        /** Samples parsed so far. */
        public int samples() {
            return st.count;
        }

        private void keep(byte[] b, int from, int to) {
            int n = to - from;
            if (n <= 0) {
                return;
            }
            if (carryLen + n > carry.length) {
                carry = java.util.Arrays.copyOf(carry, Math.max(carry.length * 2, carryLen + n));
            }
            System.arraycopy(b, from, carry, carryLen, n);
            carryLen += n;
        }

        private int indexOf(byte[] b, int from, int to) {
            for (int i = from; i < to; i++) {
                if (b[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Where a parse is: lines seen, samples passed on, whether OpenMetrics' # EOF was seen. */
    private static final class Lines {
        final boolean openMetrics;
        int lineNo;
        int count;
        boolean eof;

        Lines(boolean openMetrics) {
            this.openMetrics = openMetrics;
        }

        void end() throws ExpositionParseException {
            if (openMetrics && !eof) {
                throw new ExpositionParseException(Math.max(lineNo, 1), "missing # EOF: the exposition is incomplete");
            }
        }
    }

    /** Parses the lines in body[offset, end); the last may lack its terminator. */
    private void parseLines(byte[] body, int offset, int end, SampleSink sink, SeriesKeySink<?> keyed, Lines st)
            throws ExpositionParseException {
        boolean openMetrics = st.openMetrics;
        int pos = offset;
        while (pos < end) {
            st.lineNo++;
            int lineNo = st.lineNo;
            int nl = pos;
            while (nl < end && body[nl] != '\n') {
                nl++;
            }
            int lineEnd = nl > pos && body[nl - 1] == '\r' ? nl - 1 : nl;
            if (st.eof) {
                throw ExpositionParseException.at(lineNo, "unexpected content after # EOF", body, pos, lineEnd);
            }
            int first = Bytes.skipWs(body, pos, lineEnd);
            if (first < lineEnd) {
                if (body[first] == '#') {
                    st.eof = metadata(body, pos, first, lineEnd, lineNo, openMetrics);
                } else {
                    if (keyed != null) {
                        samples.parse(body, pos, first, lineEnd, lineNo, openMetrics, keyed);
                    } else {
                        samples.parse(body, pos, first, lineEnd, lineNo, openMetrics, sink);
                    }
                    st.count++;
                }
            }
            pos = nl + 1;
        }
    }

    /**
     * Checks a '#' line starting at b[first]. Returns true if it is the OpenMetrics "# EOF" line.
     */
    private static boolean metadata(byte[] b, int lineStart, int first, int end, int lineNo, boolean openMetrics)
            throws ExpositionParseException {
        int i = first + 1;
        if (i == end || !Bytes.isWs(b[i])) {
            return false; // "#" or "#text": a comment
        }
        int kwStart = Bytes.skipWs(b, i, end);
        int kwEnd = Bytes.tokenEnd(b, kwStart, end);
        if (openMetrics && Bytes.regionIs(b, kwStart, kwEnd, "EOF")) {
            if (Bytes.skipWs(b, kwEnd, end) != end || first != lineStart) {
                throw ExpositionParseException.at(
                        lineNo, "malformed # EOF line (must be exactly '# EOF')", b, lineStart, end);
            }
            return true;
        }
        boolean help = Bytes.regionIs(b, kwStart, kwEnd, "HELP");
        boolean type = !help && Bytes.regionIs(b, kwStart, kwEnd, "TYPE");
        boolean unit = openMetrics && !help && !type && Bytes.regionIs(b, kwStart, kwEnd, "UNIT");
        if (!help && !type && !unit) {
            return false; // another comment
        }
        String kw = help ? "HELP" : type ? "TYPE" : "UNIT";
        int nameStart = Bytes.skipWs(b, kwEnd, end);
        int nameEnd;
        if (nameStart < end && b[nameStart] == '"') {
            nameEnd = Bytes.quotedEnd(b, nameStart, end);
            if (nameEnd < 0) {
                throw ExpositionParseException.at(
                        lineNo, "unterminated quoted metric name in # " + kw, b, lineStart, end);
            }
            if (nameEnd == nameStart + 2) {
                nameEnd = nameStart; // "" is not a name
            }
        } else {
            nameEnd = Bytes.nameEnd(b, nameStart, end, Bytes.METRIC_START, Bytes.METRIC_PART);
        }
        if (nameEnd == nameStart || (nameEnd < end && !Bytes.isWs(b[nameEnd]))) {
            int tokEnd = Bytes.tokenEnd(b, nameStart, end);
            String problem = nameStart == end
                    ? "missing metric name in # " + kw
                    : "invalid metric name '" + Bytes.text(b, nameStart, tokEnd, 40) + "' in # " + kw;
            throw ExpositionParseException.at(lineNo, problem, b, lineStart, end);
        }
        if (type) {
            checkType(b, lineStart, Bytes.skipWs(b, nameEnd, end), end, lineNo, openMetrics);
        }
        return false; // HELP and UNIT text is free-form and not used
    }

    private static void checkType(byte[] b, int lineStart, int s, int end, int lineNo, boolean openMetrics)
            throws ExpositionParseException {
        int e = Bytes.tokenEnd(b, s, end);
        if (s == e) {
            throw ExpositionParseException.at(lineNo, "missing metric type in # TYPE", b, lineStart, end);
        }
        boolean known = Bytes.regionIs(b, s, e, "counter")
                || Bytes.regionIs(b, s, e, "gauge")
                || Bytes.regionIs(b, s, e, "histogram")
                || Bytes.regionIs(b, s, e, "summary")
                || (!openMetrics && Bytes.regionIs(b, s, e, "untyped"))
                || (openMetrics
                        && (Bytes.regionIs(b, s, e, "unknown")
                                || Bytes.regionIs(b, s, e, "gaugehistogram")
                                || Bytes.regionIs(b, s, e, "stateset")
                                || Bytes.regionIs(b, s, e, "info")));
        if (!known) {
            throw ExpositionParseException.at(
                    lineNo, "unknown metric type '" + Bytes.text(b, s, e, 40) + "'", b, lineStart, end);
        }
        if (Bytes.skipWs(b, e, end) != end) {
            throw ExpositionParseException.at(lineNo, "unexpected text after the metric type", b, lineStart, end);
        }
    }
}
