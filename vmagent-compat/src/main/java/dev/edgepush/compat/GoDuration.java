package dev.edgepush.compat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Parses durations as written in Prometheus scrape configs and vmagent flags.
 *
 * <p>Accepts the union of two Go formats:
 * <ul>
 *   <li>Prometheus {@code model.Duration}: {@code 15s}, {@code 1m30s}, {@code 500ms}, {@code 1h},
 *       {@code 2d}, {@code 1w}, {@code 1y} (a year is 365 days, a week 7 days, a day 24 hours);</li>
 *   <li>Go {@code time.ParseDuration}: fractional numbers and the units {@code ns}, {@code us},
 *       {@code µs} (U+00B5 or U+03BC), {@code ms}, {@code s}, {@code m}, {@code h}, e.g. {@code 1.5s},
 *       {@code 100us}, {@code .5h}, {@code 1h30m}.</li>
 * </ul>
 * Components may be concatenated in any order (as Go allows). Units are case-sensitive. A bare
 * {@code 0} is zero; any other number needs a unit. A leading {@code +} is allowed; negative durations
 * are rejected because no scrape or push setting can use them. Fractions of a nanosecond are truncated,
 * as in Go. The result must fit in a Go duration (about 292 years).
 */
public final class GoDuration {

    private static final String HINT = "use a number and a unit, e.g. 15s, 1m30s, 500ms";
    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);
    private static final long SECOND = 1_000_000_000L;
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("ns", 1L),
            Map.entry("us", 1_000L),
            Map.entry("\u00b5s", 1_000L),
            Map.entry("\u03bcs", 1_000L),
            Map.entry("ms", 1_000_000L),
            Map.entry("s", SECOND),
            Map.entry("m", 60 * SECOND),
            Map.entry("h", 3_600 * SECOND),
            Map.entry("d", 86_400 * SECOND),
            Map.entry("w", 7 * 86_400 * SECOND),
            Map.entry("y", 365 * 86_400 * SECOND));

    private GoDuration() {}

    /**
     * Parses {@code s}.
     *
     * @throws IllegalArgumentException if {@code s} is null, empty, negative, too large, or not a
     *     sequence of number-unit pairs; the message quotes the value and shows an example
     */
    public static Duration parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("invalid duration: missing value; " + HINT);
        }
        int i = 0;
        int n = s.length();
        if (n > 0 && s.charAt(0) == '+') {
            i = 1;
        } else if (n > 0 && s.charAt(0) == '-') {
            throw new IllegalArgumentException("invalid duration \"" + s + "\": must not be negative");
        }
        if (s.substring(i).equals("0")) {
            return Duration.ZERO;
        }
        if (i == n) {
            throw invalid(s, null);
        }
        BigDecimal total = BigDecimal.ZERO;
        while (i < n) {
            int start = i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            boolean digits = i > start;
            if (i < n && s.charAt(i) == '.') {
                i++;
                int fracStart = i;
                while (i < n && isDigit(s.charAt(i))) {
                    i++;
                }
                digits |= i > fracStart;
            }
            if (!digits) {
                throw invalid(s, null);
            }
            String number = s.substring(start, i);
            int unitStart = i;
            while (i < n && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw invalid(s, "missing unit after " + number);
            }
            Long nanos = UNITS.get(unit);
            if (nanos == null) {
                throw invalid(s, "unknown unit \"" + unit + "\" (units: ns, us, ms, s, m, h, d, w, y)");
            }
            String plain = number.endsWith(".") ? number.substring(0, number.length() - 1) : number;
            total = total.add(new BigDecimal(plain).multiply(BigDecimal.valueOf(nanos)));
        }
        BigInteger whole = total.setScale(0, RoundingMode.DOWN).toBigIntegerExact();
        if (whole.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("invalid duration \"" + s + "\": too large (the maximum is about 292y)");
        }
        return Duration.ofNanos(whole.longValueExact());
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String s, String why) {
        String detail = why == null ? HINT : why + "; " + HINT;
        return new IllegalArgumentException("invalid duration \"" + s + "\": " + detail);
    }
}
