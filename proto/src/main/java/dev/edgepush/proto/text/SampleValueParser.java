package dev.edgepush.proto.text;

/**
 * Parses what follows the series on a sample line: the value, the optional timestamp and, in
 * OpenMetrics, an exemplar (checked, then skipped). Values and timestamps follow {@link
 * NumberParser}. Not thread-safe.
 */
final class SampleValueParser {
    // Per-line state.
    private byte[] b;
    private int lineStart;
    private int end;
    private int lineNo;
    private int pos;
    private double value;
    private long timestampMs;

    /**
     * Reads the value, timestamp and exemplar of the line b[lineStart, end) from pos on (where its
     * series ends); lineNo and lineStart are for messages.
     *
     * @param openMetrics timestamps in seconds and exemplars allowed
     */
    void parse(byte[] b, int lineStart, int pos, int end, int lineNo, boolean openMetrics)
            throws ExpositionParseException {
        this.b = b;
        this.lineStart = lineStart;
        this.pos = pos;
        this.end = end;
        this.lineNo = lineNo;
        try {
            parseValue(openMetrics);
        } finally {
            this.b = null;
        }
    }

    /** The value the last {@link #parse} read. */
    double value() {
        return value;
    }

    /** The timestamp the last {@link #parse} read, in milliseconds; Long.MIN_VALUE when absent. */
    long timestampMs() {
        return timestampMs;
    }

    /** Reads the value, timestamp and OpenMetrics exemplar after pos into value and timestampMs. */
    private void parseValue(boolean openMetrics) throws ExpositionParseException {
        pos = Bytes.skipWs(b, pos, end);
        if (pos == end) {
            throw error("missing value");
        }
        int valueStart = pos;
        pos = Bytes.tokenEnd(b, pos, end);
        try {
            value = NumberParser.parseValue(b, valueStart, pos);
        } catch (NumberFormatException e) {
            throw error("invalid value '" + token(valueStart, pos) + "'");
        }
        timestampMs = Long.MIN_VALUE;
        pos = Bytes.skipWs(b, pos, end);
        if (pos < end && !(openMetrics && b[pos] == '#')) {
            int tsStart = pos;
            pos = Bytes.tokenEnd(b, pos, end);
            timestampMs = parseTimestamp(tsStart, pos, openMetrics, "invalid timestamp");
            pos = Bytes.skipWs(b, pos, end);
        }
        if (pos < end) {
            if (!openMetrics || b[pos] != '#') {
                throw error("unexpected text '" + token(pos, end) + "' after the "
                        + (timestampMs == Long.MIN_VALUE ? "value" : "timestamp"));
            }
            skipExemplar();
        }
    }

    /** Skips an OpenMetrics exemplar at pos (b[pos] == '#'): # {labels} value [timestamp]. */
    private void skipExemplar() throws ExpositionParseException {
        pos++;
        if (pos == end || !Bytes.isWs(b[pos])) {
            throw error("invalid exemplar: expected ' # {' after the sample");
        }
        pos = Bytes.skipWs(b, pos, end);
        if (pos == end || b[pos] != '{') {
            throw error("invalid exemplar: expected '{' after '#'");
        }
        pos++;
        while (pos < end && b[pos] != '}') {
            if (b[pos] == '"') {
                pos = Bytes.quotedEnd(b, pos, end);
                if (pos < 0) {
                    pos = end;
                    throw error("invalid exemplar: unterminated label value");
                }
            } else {
                pos++;
            }
        }
        if (pos == end) {
            throw error("invalid exemplar: missing closing '}'");
        }
        pos = Bytes.skipWs(b, pos + 1, end);
        if (pos == end) {
            throw error("invalid exemplar: missing value");
        }
        int valueStart = pos;
        pos = Bytes.tokenEnd(b, pos, end);
        try {
            NumberParser.parseValue(b, valueStart, pos);
        } catch (NumberFormatException e) {
            throw error("invalid exemplar value '" + token(valueStart, pos) + "'");
        }
        pos = Bytes.skipWs(b, pos, end);
        if (pos < end) {
            int tsStart = pos;
            pos = Bytes.tokenEnd(b, pos, end);
            parseTimestamp(tsStart, pos, true, "invalid exemplar timestamp");
            pos = Bytes.skipWs(b, pos, end);
            if (pos < end) {
                throw error("unexpected text '" + token(pos, end) + "' after the exemplar");
            }
        }
    }

    private long parseTimestamp(int s, int e, boolean seconds, String problem) throws ExpositionParseException {
        try {
            return seconds ? NumberParser.parseSecondsToMillis(b, s, e) : NumberParser.parseMillis(b, s, e);
        } catch (NumberFormatException ex) {
            throw error(problem + " '" + token(s, e) + "'");
        }
    }

    private String token(int s, int e) {
        return Bytes.text(b, s, e, Bytes.MAX_TOKEN_EXCERPT);
    }

    private ExpositionParseException error(String problem) {
        return ExpositionParseException.at(lineNo, problem, b, lineStart, end);
    }
}
