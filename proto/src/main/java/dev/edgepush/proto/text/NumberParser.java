package dev.edgepush.proto.text;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Parses sample values and timestamps straight from bytes. Values follow Go's
 * strconv.ParseFloat (what Prometheus uses): decimal and hex floats, optional sign, and
 * case-insensitive "inf", "infinity", "nan" (nan without a sign); out-of-range values are
 * rejected. Plain decimals with up to 18 significant digits and a small exponent take an exact
 * fast path; everything else is checked against the grammar and handed to Double.parseDouble,
 * whose rounding is also correct. Errors are reported as NumberFormatException (no message).
 */
final class NumberParser {
    private static final double[] POW10 = new double[23];
    private static final long MAX_EXACT = 1L << 53;

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    private NumberParser() {}

    /** The float in b[s, e). */
    static double parseValue(byte[] b, int s, int e) {
        int i = s;
        boolean neg = false;
        if (i < e && (b[i] == '+' || b[i] == '-')) {
            neg = b[i] == '-';
            i++;
        }
        if (i >= e) {
            throw new NumberFormatException();
        }
        byte c = b[i];
        if (c == 'i' || c == 'I' || c == 'n' || c == 'N') {
            return special(b, s, i, e, neg);
        }
        if (c == '0' && i + 1 < e && (b[i + 1] == 'x' || b[i + 1] == 'X')) {
            checkHex(b, i + 2, e);
            return slow(b, s, e);
        }
        long m = 0;
        int sig = 0;
        int exp10 = 0;
        boolean digits = false;
        boolean inexact = false;
        for (; i < e && (c = b[i]) >= '0' && c <= '9'; i++) {
            digits = true;
            if (m == 0 && c == '0') {
                continue;
            }
            if (sig < 18) {
                m = m * 10 + (c - '0');
                sig++;
            } else {
                inexact = true;
                exp10++;
            }
        }
        if (i < e && b[i] == '.') {
            for (i++; i < e && (c = b[i]) >= '0' && c <= '9'; i++) {
                digits = true;
                if (m == 0 && c == '0') {
                    exp10--;
                } else if (sig < 18) {
                    m = m * 10 + (c - '0');
                    sig++;
                    exp10--;
                } else {
                    inexact = true;
                }
            }
        }
        if (!digits) {
            throw new NumberFormatException();
        }
        if (i < e && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean expNeg = false;
            if (i < e && (b[i] == '+' || b[i] == '-')) {
                expNeg = b[i] == '-';
                i++;
            }
            if (i >= e) {
                throw new NumberFormatException();
            }
            int x = 0;
            for (; i < e && (c = b[i]) >= '0' && c <= '9'; i++) {
                x = Math.min(x * 10 + (c - '0'), 100_000);
            }
            exp10 += expNeg ? -x : x;
        }
        if (i != e) {
            throw new NumberFormatException();
        }
        if (m == 0) {
            return neg ? -0.0 : 0.0;
        }
        if (!inexact && m <= MAX_EXACT && exp10 >= -22 && exp10 <= 22) {
            double d = exp10 >= 0 ? m * POW10[exp10] : m / POW10[-exp10];
            return neg ? -d : d;
        }
        return slow(b, s, e);
    }

    /** A Prometheus text timestamp: a signed decimal int64 (milliseconds). */
    static long parseMillis(byte[] b, int s, int e) {
        int i = s;
        boolean neg = false;
        if (i < e && (b[i] == '+' || b[i] == '-')) {
            neg = b[i] == '-';
            i++;
        }
        if (i >= e) {
            throw new NumberFormatException();
        }
        long v = 0; // accumulated negatively to reach Long.MIN_VALUE
        for (; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
                throw new NumberFormatException();
            }
            v = v * 10 - d;
        }
        if (!neg && v == Long.MIN_VALUE) {
            throw new NumberFormatException();
        }
        return neg ? v : -v;
    }

    /**
     * An OpenMetrics timestamp: decimal seconds, maybe fractional or with an exponent, converted
     * exactly to milliseconds, rounding half away from zero.
     */
    static long parseSecondsToMillis(byte[] b, int s, int e) {
        int i = s;
        boolean neg = false;
        if (i < e && (b[i] == '+' || b[i] == '-')) {
            neg = b[i] == '-';
            i++;
        }
        long secs = 0;
        int intDigits = 0;
        byte c = 0;
        for (; i < e && (c = b[i]) >= '0' && c <= '9'; i++) {
            secs = secs * 10 + (c - '0');
            if (++intDigits > 15) {
                return slowSeconds(b, s, e);
            }
        }
        long ms = 0;
        int fracDigits = 0;
        boolean roundUp = false;
        if (i < e && b[i] == '.') {
            for (i++; i < e && (c = b[i]) >= '0' && c <= '9'; i++) {
                if (fracDigits < 3) {
                    ms = ms * 10 + (c - '0');
                } else if (fracDigits == 3) {
                    roundUp = c >= '5';
                }
                fracDigits++;
            }
        }
        if (i != e) {
            return slowSeconds(b, s, e); // exponent, or garbage the slow path rejects
        }
        if (intDigits + fracDigits == 0) {
            throw new NumberFormatException();
        }
        for (int k = Math.min(fracDigits, 3); k < 3; k++) {
            ms *= 10;
        }
        long v = secs * 1000 + ms + (roundUp ? 1 : 0);
        return neg ? -v : v;
    }

    private static long slowSeconds(byte[] b, int s, int e) {
        for (int i = s; i < e; i++) {
            byte c = b[i];
            boolean ok = (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
            if (!ok) {
                throw new NumberFormatException();
            }
        }
        try {
            BigDecimal secs = new BigDecimal(ascii(b, s, e));
            if (Math.abs((long) secs.scale()) > 1000 || secs.precision() - secs.scale() > 40) {
                throw new NumberFormatException();
            }
            return secs.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException ex) {
            throw new NumberFormatException();
        }
    }

    private static double special(byte[] b, int s, int i, int e, boolean neg) {
        int n = e - i;
        if ((n == 3 || n == 8) && ignoreCaseIs(b, i, e, n == 3 ? "inf" : "infinity")) {
            return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (n == 3 && i == s && ignoreCaseIs(b, i, e, "nan")) {
            return Double.NaN;
        }
        throw new NumberFormatException();
    }

    private static boolean ignoreCaseIs(byte[] b, int s, int e, String lower) {
        for (int k = 0; k < e - s; k++) {
            if ((b[s + k] | 0x20) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Hex float after "0x": hexdigits [. hexdigits] with at least one digit, then p[+-]digits. */
    private static void checkHex(byte[] b, int i, int e) {
        boolean digits = false;
        boolean dot = false;
        for (; i < e; i++) {
            byte c = b[i];
            if (isHex(c)) {
                digits = true;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
        }
        if (!digits || i >= e || (b[i] != 'p' && b[i] != 'P')) {
            throw new NumberFormatException();
        }
        i++;
        if (i < e && (b[i] == '+' || b[i] == '-')) {
            i++;
        }
        if (i >= e) {
            throw new NumberFormatException();
        }
        for (; i < e; i++) {
            if (b[i] < '0' || b[i] > '9') {
                throw new NumberFormatException();
            }
        }
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Double.parseDouble on a token already checked against the grammar; overflow is an error. */
    private static double slow(byte[] b, int s, int e) {
        double d = Double.parseDouble(ascii(b, s, e));
        if (Double.isInfinite(d)) {
            throw new NumberFormatException();
        }
        return d;
    }

    private static String ascii(byte[] b, int s, int e) {
        return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
    }
}
