package dev.edgepush.testbed;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's {@code time.ParseDuration} syntax, as vmagent flags and the testbed CLIs take it:
 * {@code 30s}, {@code 1m30s}, {@code 250ms}, {@code 1.5h}, {@code 0}. Units: ns, us (µs), ms,
 * s, m, h. Negative durations are refused: nothing in the testbed means "minus 30 seconds".
 */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {}

    /**
     * Parses a Go duration.
     *
     * @param text e.g. {@code 1m30s}
     * @return the duration, rounded down to the nanosecond
     * @throws IllegalArgumentException naming the text when it is not a Go duration
     */
    public static Duration parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        int at = 0;
        double nanos = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("\"" + text + "\" is not a duration (like 30s, 1m30s, 250ms, 2h)");
            }
            double n = Double.parseDouble(m.group(1));
            nanos += n
                    * switch (m.group(2)) {
                        case "ns" -> 1d;
                        case "us", "µs" -> 1e3;
                        case "ms" -> 1e6;
                        case "s" -> 1e9;
                        case "m" -> 60e9;
                        default -> 3600e9;
                    };
            at = m.end();
        }
        if (at == 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (like 30s, 1m30s, 250ms, 2h)");
        }
        return Duration.ofNanos((long) nanos);
    }

    /** Formats like Go for whole milliseconds: {@code 1m30s}, {@code 250ms}, {@code 2h0m0s}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        long h = ms / 3_600_000;
        long m = ms / 60_000 % 60;
        String sec = ms % 60_000 % 1000 == 0
                ? Long.toString(ms % 60_000 / 1000)
                : String.format(java.util.Locale.ROOT, "%.3f", ms % 60_000 / 1000.0)
                        .replaceAll("0+$", "");
        if (h > 0) {
            return h + "h" + m + "m" + sec + "s";
        }
        return m > 0 ? m + "m" + sec + "s" : sec + "s";
    }
}
