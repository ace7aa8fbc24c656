package dev.edgepush.testbed.soak;

import static dev.edgepush.testbed.soak.SvgAxes.LEFT;
import static dev.edgepush.testbed.soak.SvgAxes.PANEL_H;
import static dev.edgepush.testbed.soak.SvgAxes.PLOT_W;
import static dev.edgepush.testbed.soak.SvgAxes.WIDTH;
import static dev.edgepush.testbed.soak.SvgAxes.escape;
import static dev.edgepush.testbed.soak.SvgAxes.fmt;
import static dev.edgepush.testbed.soak.SvgAxes.human;
import static dev.edgepush.testbed.soak.SvgAxes.niceCeil;
import static dev.edgepush.testbed.soak.SvgAxes.timeAxis;
import static dev.edgepush.testbed.soak.SvgAxes.x;

import dev.edgepush.testbed.soak.Fault.Kind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The soak report's picture, hand-written SVG: the backlog panel (sum of agents' pending samples,
 * central-ingest's WAL pending samples), the delivery panel (samples forwarded to
 * VictoriaMetrics, cumulative), with a capped-link robot its panel (its live lag: now minus its
 * newest stored scrape, left axis in seconds; its pending samples, right axis), and a fault strip
 * with one row per robot and one for the central side; every fault is also shaded lightly across
 * the panels, and a dashed line marks where faults stop and restore-and-drain begins.
 */
final class SvgPlot {
    private static final String AGENTS = "#1f77b4";
    private static final String WAL = "#ff7f0e";
    private static final String DELIVERED = "#2ca02c";
    private static final String LAG = "#a50f15";
    private static final String CAPPED_PENDING = "#08519c";
    private static final Map<Kind, String> COLORS = new EnumMap<>(Map.of(
            Kind.OUTAGE,
            "#d62728",
            Kind.BLACKHOLE,
            "#444444",
            Kind.SLOW_LINK,
            "#bcbd22",
            Kind.AGENT_KILL,
            "#9467bd",
            Kind.SENSOR,
            "#17becf",
            Kind.INGEST_KILL,
            "#e377c2",
            Kind.STORAGE_RESTART,
            "#8c564b"));

    private SvgPlot() {}

    /**
     * Renders the plot.
     *
     * @param title first line of the picture
     * @param points the timeline
     * @param faults the faults as run (times since start)
     * @param robots number of robots (rows of the fault strip)
     * @param restoreMs when faults stopped and restore began
     * @param endMs the end of the time axis
     */
    static String render(
            String title, List<Timeline.Point> points, List<Fault> faults, int robots, long restoreMs, long endMs) {
        return render(title, points, faults, robots, restoreMs, endMs, null);
    }

    /**
     * Renders the plot, with the capped-link panel of {@code cappedRobot} when it is not null and
     * the timeline has its numbers.
     */
    static String render(
            String title,
            List<Timeline.Point> points,
            List<Fault> faults,
            int robots,
            long restoreMs,
            long endMs,
            String cappedRobot) {
        long span = Math.max(1000, endMs);
        boolean capped = cappedRobot != null
                && points.stream().anyMatch(p -> !Double.isNaN(p.cappedLagS()) || !Double.isNaN(p.cappedPending()));
        int rowH = Math.max(8, Math.min(16, 160 / (robots + 1)));
        int top1 = 70;
        int top2 = top1 + PANEL_H + 50;
        int topCapped = top2 + PANEL_H + 50;
        int top3 = capped ? topCapped + PANEL_H + 50 : topCapped;
        int stripH = rowH * (robots + 1);
        int height = top3 + stripH + 60;
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        int colon = title.indexOf(": ");
        sb.append("<text x=\"")
                .append(LEFT)
                .append("\" y=\"20\" font-size=\"15\" font-weight=\"bold\">")
                .append(escape(colon < 0 ? title : title.substring(0, colon)))
                .append("</text>\n");
        if (colon >= 0) {
            sb.append("<text x=\"")
                    .append(LEFT)
                    .append("\" y=\"38\" font-size=\"12\">")
                    .append(escape(title.substring(colon + 2)))
                    .append("</text>\n");
        }

        double maxBacklog = 1;
        double maxDelivered = 1;
        double maxLag = 1;
        double maxCappedPending = 1;
        for (Timeline.Point p : points) {
            maxBacklog = Math.max(maxBacklog, Math.max(p.agentsPending(), p.walPending()));
            maxDelivered = Math.max(maxDelivered, p.delivered());
            if (!Double.isNaN(p.cappedLagS())) {
                maxLag = Math.max(maxLag, p.cappedLagS());
            }
            if (!Double.isNaN(p.cappedPending())) {
                maxCappedPending = Math.max(maxCappedPending, p.cappedPending());
            }
        }
        maxBacklog = niceCeil(maxBacklog);
        maxDelivered = niceCeil(maxDelivered);
        maxLag = niceCeil(maxLag);
        maxCappedPending = niceCeil(maxCappedPending);

        panel(sb, top1, "backlog (pending samples)", "samples", maxBacklog, span, faults, restoreMs);
        line(sb, points, top1, maxBacklog, span, AGENTS, Timeline.Point::agentsPending);
        line(sb, points, top1, maxBacklog, span, WAL, Timeline.Point::walPending);
        panel(sb, top2, "delivered to VictoriaMetrics (samples)", "samples", maxDelivered, span, faults, restoreMs);
        line(sb, points, top2, maxDelivered, span, DELIVERED, Timeline.Point::delivered);
        if (capped) {
            panel(
                    sb,
                    topCapped,
                    "capped link " + cappedRobot + ": live lag (now minus newest stored scrape) and backlog",
                    "live lag (s)",
                    maxLag,
                    span,
                    faults,
                    restoreMs);
            rightAxis(sb, topCapped, maxCappedPending, "backlog (samples)");
            line(sb, points, topCapped, maxLag, span, LAG, Timeline.Point::cappedLagS);
            line(sb, points, topCapped, maxCappedPending, span, CAPPED_PENDING, Timeline.Point::cappedPending);
        }

        // Fault strip: one row per robot, one for the central side.
        sb.append("<text x=\"")
                .append(LEFT)
                .append("\" y=\"")
                .append(top3 - 8)
                .append("\" font-weight=\"bold\">")
                .append("faults</text>\n");
        for (int row = 0; row <= robots; row++) {
            int y = top3 + row * rowH;
            sb.append("<rect x=\"")
                    .append(LEFT)
                    .append("\" y=\"")
                    .append(y)
                    .append("\" width=\"")
                    .append(PLOT_W)
                    .append("\" height=\"")
                    .append(rowH)
                    .append("\" fill=\"")
                    .append(row % 2 == 0 ? "#f4f4f4" : "#fbfbfb")
                    .append("\"/>\n");
            sb.append("<text x=\"")
                    .append(LEFT - 6)
                    .append("\" y=\"")
                    .append(y + rowH - 3)
                    .append("\" text-anchor=\"end\" font-size=\"")
                    .append(Math.min(11, rowH))
                    .append("\">")
                    .append(row == 0 ? "central" : "r" + row)
                    .append("</text>\n");
        }
        for (Fault f : faults) {
            int y = top3 + f.robot() * rowH;
            double x0 = x(f.startMs(), span);
            double w = Math.max(1.5, x(f.endMs(), span) - x0);
            sb.append("<rect x=\"")
                    .append(fmt(x0))
                    .append("\" y=\"")
                    .append(y + 1)
                    .append("\" width=\"")
                    .append(fmt(w))
                    .append("\" height=\"")
                    .append(rowH - 2)
                    .append("\" fill=\"")
                    .append(COLORS.get(f.kind()))
                    .append("\"><title>")
                    .append(escape(f.describe()))
                    .append("</title></rect>\n");
        }
        timeAxis(sb, top3 + stripH, span);
        sb.append("<text x=\"")
                .append(LEFT + PLOT_W / 2)
                .append("\" y=\"")
                .append(top3 + stripH + 40)
                .append("\" text-anchor=\"middle\">time since start</text>\n");

        // Legend.
        int lx = LEFT + PLOT_W + 20;
        int ly = top1 + 10;
        List<String[]> legend = new ArrayList<>(List.of(
                new String[] {AGENTS, "agents' pending (sum)"},
                new String[] {WAL, "central WAL pending"},
                new String[] {DELIVERED, "delivered (cumulative)"}));
        if (capped) {
            legend.add(new String[] {LAG, cappedRobot + " live lag (s)"});
            legend.add(new String[] {CAPPED_PENDING, cappedRobot + " pending"});
        }
        for (String[] l : legend) {
            SvgAxes.line(sb, lx, ly - 4, lx + 20, ly - 4, "stroke=\"" + l[0] + "\" stroke-width=\"2\"")
                    .append("<text x=\"")
                    .append(lx + 26)
                    .append("\" y=\"")
                    .append(ly)
                    .append("\">")
                    .append(l[1])
                    .append("</text>\n");
            ly += 18;
        }
        ly += 8;
        sb.append("<text x=\"")
                .append(lx)
                .append("\" y=\"")
                .append(ly)
                .append("\" font-weight=\"bold\">")
                .append("fault (shaded)</text>\n");
        ly += 18;
        for (Kind k : Kind.values()) {
            sb.append("<rect x=\"")
                    .append(lx)
                    .append("\" y=\"")
                    .append(ly - 10)
                    .append("\" width=\"20\" height=\"10\" ")
                    .append("fill=\"")
                    .append(COLORS.get(k))
                    .append("\"/><text x=\"")
                    .append(lx + 26)
                    .append("\" y=\"")
                    .append(ly)
                    .append("\">")
                    .append(k.wireName().replace('_', ' '))
                    .append("</text>\n");
            ly += 18;
        }
        SvgAxes.line(sb, lx, ly - 4, lx + 20, ly - 4, "stroke=\"black\" stroke-dasharray=\"4 3\"")
                .append("<text x=\"")
                .append(lx + 26)
                .append("\" y=\"")
                .append(ly)
                .append("\">restore + drain</text>\n");
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void panel(
            StringBuilder sb,
            int top,
            String label,
            String unit,
            double max,
            long span,
            List<Fault> faults,
            long restoreMs) {
        for (Fault f : faults) {
            double x0 = x(f.startMs(), span);
            double w = Math.max(1, x(f.endMs(), span) - x0);
            sb.append("<rect x=\"")
                    .append(fmt(x0))
                    .append("\" y=\"")
                    .append(top)
                    .append("\" width=\"")
                    .append(fmt(w))
                    .append("\" height=\"")
                    .append(PANEL_H)
                    .append("\" fill=\"")
                    .append(COLORS.get(f.kind()))
                    .append("\" fill-opacity=\"0.10\"/>\n");
        }
        sb.append("<rect x=\"")
                .append(LEFT)
                .append("\" y=\"")
                .append(top)
                .append("\" width=\"")
                .append(PLOT_W)
                .append("\" height=\"")
                .append(PANEL_H)
                .append("\" fill=\"none\" stroke=\"#888\"/>\n");
        for (int i = 0; i <= 4; i++) {
            double v = max * i / 4;
            double y = top + PANEL_H - PANEL_H * i / 4.0;
            SvgAxes.line(sb, LEFT, y, LEFT + PLOT_W, y, "stroke=\"#ddd\"")
                    .append("<text x=\"")
                    .append(LEFT - 6)
                    .append("\" y=\"")
                    .append(fmt(y + 4))
                    .append("\" text-anchor=\"end\">")
                    .append(human(v))
                    .append("</text>\n");
        }
        sb.append("<text transform=\"translate(")
                .append(22)
                .append(',')
                .append(top + PANEL_H / 2)
                .append(") rotate(-90)\" text-anchor=\"middle\">")
                .append(escape(unit))
                .append("</text>\n");
        sb.append("<text x=\"")
                .append(LEFT)
                .append("\" y=\"")
                .append(top - 8)
                .append("\" font-weight=\"bold\">")
                .append(escape(label))
                .append("</text>\n");
        double xr = x(restoreMs, span);
        SvgAxes.line(sb, xr, top, xr, top + PANEL_H, "stroke=\"black\" stroke-dasharray=\"4 3\"")
                .append('\n');
        timeAxis(sb, top + PANEL_H, span);
    }

    /** Tick labels of a second scale, up to {@code max}, on the panel's right edge, and its unit. */
    private static void rightAxis(StringBuilder sb, int top, double max, String unit) {
        for (int i = 0; i <= 4; i++) {
            double y = top + PANEL_H - PANEL_H * i / 4.0;
            sb.append("<text x=\"")
                    .append(LEFT + PLOT_W + 6)
                    .append("\" y=\"")
                    .append(fmt(y + 4))
                    .append("\">")
                    .append(human(max * i / 4))
                    .append("</text>\n");
        }
        sb.append("<text transform=\"translate(")
                .append(LEFT + PLOT_W + 60)
                .append(',')
                .append(top + PANEL_H / 2)
                .append(") rotate(90)\" text-anchor=\"middle\">")
                .append(escape(unit))
                .append("</text>\n");
    }

    private static void line(
            StringBuilder sb,
            List<Timeline.Point> points,
            int top,
            double max,
            long span,
            String color,
            java.util.function.ToDoubleFunction<Timeline.Point> value) {
        // One polyline per run of known values (NaN: not measured then).
        boolean open = false;
        for (Timeline.Point p : points) {
            double v = value.applyAsDouble(p);
            if (Double.isNaN(v)) {
                if (open) {
                    sb.append("\"/>\n");
                    open = false;
                }
                continue;
            }
            if (!open) {
                sb.append("<polyline fill=\"none\" stroke=\"")
                        .append(color)
                        .append("\" stroke-width=\"1.6\" points=\"");
                open = true;
            }
            double y = top + PANEL_H - PANEL_H * Math.max(0, Math.min(1, v / max));
            sb.append(fmt(x(p.tMs(), span))).append(',').append(fmt(y)).append(' ');
        }
        if (open) {
            sb.append("\"/>\n");
        }
    }
}
