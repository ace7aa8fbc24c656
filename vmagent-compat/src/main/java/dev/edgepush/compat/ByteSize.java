package dev.edgepush.compat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses byte sizes the way vmagent's {@code flagutil.Bytes} does, e.g. for
 * {@code -remoteWrite.maxDiskUsagePerURL}.
 *
 * <ul>
 *   <li>a plain number of bytes: {@code 1048576};</li>
 *   <li>a number with a decimal suffix {@code KB}, {@code MB}, {@code GB}, {@code TB} (powers of 1000);</li>
 *   <li>a number with a binary suffix {@code KiB}, {@code MiB}, {@code GiB}, {@code TiB} (powers of 1024).</li>
 * </ul>
 * Like vmagent, suffixes are matched case-insensitively ({@code 1gb} = {@code 1GB}, {@code 1gib} =
 * {@code 1GiB}: vmagent upper-cases the value and turns {@code I} back into {@code i}), the number may be
 * fractional ({@code 1.5GB}) or use an exponent ({@code 1e3}), and the result is truncated to whole
 * bytes. Like vmagent, an empty string is 0. Unlike vmagent, negative values and values above
 * {@link Long#MAX_VALUE} are rejected, and {@code Inf}/{@code NaN}/hex numbers are not accepted.
 */
public final class ByteSize {

    private static final String HINT = "use a number of bytes with an optional suffix KB, MB, GB, TB (powers of 1000)"
            + " or KiB, MiB, GiB, TiB (powers of 1024), e.g. 500MB or 1GiB";
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final String[] SUFFIXES = {"KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"};
    private static final long[] SCALES = {
        1_000L, 1_000_000L, 1_000_000_000L, 1_000_000_000_000L, 1L << 10, 1L << 20, 1L << 30, 1L << 40,
    };

    private ByteSize() {}

    /**
     * Parses {@code s} into a number of bytes.
     *
     * @throws IllegalArgumentException if {@code s} is null, negative, too large or malformed; the
     *     message quotes the value and gives an example
     */
    public static long parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("invalid size: missing value; " + HINT);
        }
        if (s.isEmpty()) {
            return 0;
        }
        String v = s.toUpperCase(Locale.ROOT).replace('I', 'i');
        long scale = 1;
        String number = v;
        for (int k = 0; k < SUFFIXES.length; k++) {
            if (v.endsWith(SUFFIXES[k])) {
                scale = SCALES[k];
                number = v.substring(0, v.length() - SUFFIXES[k].length());
                break;
            }
        }
        if (!NUMBER.matcher(number).matches()) {
            throw new IllegalArgumentException("invalid size \"" + s + "\": " + HINT);
        }
        BigDecimal value;
        try {
            value = new BigDecimal(number).multiply(BigDecimal.valueOf(scale));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("invalid size \"" + s + "\": " + HINT, e);
        }
        if (value.signum() < 0) {
            throw new IllegalArgumentException("invalid size \"" + s + "\": must not be negative, e.g. 500MB or 1GiB");
        }
        // Huge exponents would make setScale allocate enormous numbers; compare first.
        if (value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(
                    "invalid size \"" + s + "\": too large (the maximum is " + Long.MAX_VALUE + " bytes)");
        }
        BigInteger whole = value.setScale(0, RoundingMode.DOWN).toBigIntegerExact();
        return whole.longValueExact();
    }
}
