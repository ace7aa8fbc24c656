package dev.edgepush.proto.text;

/**
 * A malformed exposition. The message names the problem, the 1-based line and the offending text,
 * e.g. {@code line 12: invalid label name 'ro bot' in 'foo{ro bot="1"} 3'}.
 */
public final class ExpositionParseException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Longest excerpt of the offending line kept in a message, in chars. */
    static final int MAX_LINE_EXCERPT = 80;

    private final int line;
    private final boolean overLimit;

    /**
     * @param line the 1-based line number of the problem
     * @param problem what was wrong; the message becomes {@code "line " + line + ": " + problem}
     */
    public ExpositionParseException(int line, String problem) {
        this(line, problem, false);
    }

    private ExpositionParseException(int line, String problem, boolean overLimit) {
        super("line " + line + ": " + problem);
        this.line = line;
        this.overLimit = overLimit;
    }

    /** A well-formed line past a limit ({@code -maxLabelsPerTimeseries} and the like). */
    static ExpositionParseException overLimit(int line, String problem) {
        return new ExpositionParseException(line, problem, true);
    }

    /** True when the input was well-formed but past a configured limit, not malformed. */
    public boolean overLimit() {
        return overLimit;
    }

    /** The 1-based line number the problem was found on. */
    public int line() {
        return line;
    }

    /** An exception whose message ends with the (truncated) text of line bytes [start, end). */
    static ExpositionParseException at(int line, String problem, byte[] b, int start, int end) {
        return new ExpositionParseException(
                line, problem + " in '" + Bytes.text(b, start, end, MAX_LINE_EXCERPT) + "'");
    }
}
