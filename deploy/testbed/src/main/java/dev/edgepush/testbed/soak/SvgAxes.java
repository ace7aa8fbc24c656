package dev.edgepush.testbed.soak;

import java.util.Locale;

/**
 * The layout and scales of the soak report's picture ({@link SvgPlot}): plot width and margins,
 * panel height, time to x, the round numbers an axis ends and steps at, and how values and times
 * are written on the axes.
 */
final class SvgAxes {
    static final int WIDTH = 1100;
    static final int LEFT = 90;
    static final int RIGHT = 200;
    static final int PLOT_W = WIDTH - LEFT - RIGHT;
    static final int PANEL_H = 190;

    private SvgAxes() {}

    /** Tick marks and clock labels along a time axis at {@code y}. */
    static void timeAxis(StringBuilder sb, int y, long span) {
        long step = niceStepMs(span);
        for (long t = 0; t <= span; t += step) {
            double x = x(t, span);
            line(sb, x, y, x, y + 4, "stroke=\"#888\"")
                    .append("<text x=\"")
                    .append(fmt(x))
                    .append("\" y=\"")
                    .append(y + 16)
                    .append("\" text-anchor=\"middle\">")
                    .append(clock(t))
                    .append("</text>\n");
        }
    }

    /**
     * Appends a {@code <line>} from (x1, y1) to (x2, y2) with {@code attributes} (e.g. {@code
     * stroke="#888"}); returns {@code sb}.
     */
    static StringBuilder line(StringBuilder sb, double x1, double y1, double x2, double y2, String attributes) {
        return sb.append("<line x1=\"")
                .append(fmt(x1))
                .append("\" y1=\"")
                .append(fmt(y1))
                .append("\" x2=\"")
                .append(fmt(x2))
                .append("\" y2=\"")
                .append(fmt(y2))
                .append("\" ")
                .append(attributes)
                .append("/>");
    }

    /** The x of {@code tMs}, clamped to the plot. */
    static double x(long tMs, long span) {
        return LEFT + PLOT_W * Math.max(0, Math.min(1, (double) tMs / span));
    }

    static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static long niceStepMs(long span) {
        for (long s : new long[] {
            5_000,
            10_000,
            15_000,
            30_000,
            60_000,
            120_000,
            300_000,
            600_000,
            900_000,
            1_800_000,
            3_600_000,
            7_200_000,
            10_800_000,
            21_600_000
        }) {
            if (span / s <= 12) {
                return s;
            }
        }
        return 43_200_000;
    }

    static String clock(long ms) {
        long s = ms / 1000;
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    static String human(double v) {
        if (v >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        return v >= 1e3 ? trim(v / 1e3) + "k" : trim(v);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
