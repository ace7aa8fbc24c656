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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The soak report's picture, hand-written SVG: the backlog panel (sum of agents' pending samples,
 * central-ingest's WAL pending samples), the delivery panel (samples forwarded to
 * VictoriaMetrics, cumulative) and a fault strip with one row per robot and one for the central
 * side; every fault is also shaded lightly across both panels, and a dashed line marks where
 * faults stop and restore-and-drain begins.
 */
final class SvgPlot {
    private static final String AGENTS = "#1f77b4";
    private static final String WAL = "#ff7f0e";
    private static final String DELIVERED = "#2ca02c";
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
        long span = Math.max(1000, endMs);
        int rowH = Math.max(8, Math.min(16, 160 / (robots + 1)));
        int top1 = 70;
        int top2 = top1 + PANEL_H + 50;
        int top3 = top2 + PANEL_H + 50;
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
        for (Timeline.Point p : points) {
            maxBacklog = Math.max(maxBacklog, Math.max(p.agentsPending(), p.walPending()));
            maxDelivered = Math.max(maxDelivered, p.delivered());
        }
        maxBacklog = niceCeil(maxBacklog);
        maxDelivered = niceCeil(maxDelivered);

        panel(sb, top1, "backlog (pending samples)", maxBacklog, span, faults, restoreMs);
        line(sb, points, top1, maxBacklog, span, AGENTS, Timeline.Point::agentsPending);
        line(sb, points, top1, maxBacklog, span, WAL, Timeline.Point::walPending);
        panel(sb, top2, "delivered to VictoriaMetrics (samples)", maxDelivered, span, faults, restoreMs);
        line(sb, points, top2, maxDelivered, span, DELIVERED, Timeline.Point::delivered);

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
        for (String[] l : new String[][] {
            {AGENTS, "agents' pending (sum)"}, {WAL, "central WAL pending"}, {DELIVERED, "delivered (cumulative)"}
        }) {
            sb.append("<line x1=\"")
                    .append(lx)
                    .append("\" y1=\"")
                    .append(ly - 4)
                    .append("\" x2=\"")
                    .append(lx + 20)
                    .append("\" y2=\"")
                    .append(ly - 4)
                    .append("\" stroke=\"")
                    .append(l[0])
                    .append("\" stroke-width=\"2\"/>")
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
        sb.append("<line x1=\"")
                .append(lx)
                .append("\" y1=\"")
                .append(ly - 4)
                .append("\" x2=\"")
                .append(lx + 20)
                .append("\" y2=\"")
                .append(ly - 4)
                .append("\" stroke=\"black\" stroke-dasharray=\"4 3\"/><text x=\"")
                .append(lx + 26)
                .append("\" y=\"")
                .append(ly)
                .append("\">restore + drain</text>\n");
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void panel(
            StringBuilder sb, int top, String label, double max, long span, List<Fault> faults, long restoreMs) {
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
            sb.append("<line x1=\"")
                    .append(LEFT)
                    .append("\" y1=\"")
                    .append(fmt(y))
                    .append("\" x2=\"")
                    .append(LEFT + PLOT_W)
                    .append("\" y2=\"")
                    .append(fmt(y))
                    .append("\" stroke=\"#ddd\"/>")
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
                .append(") rotate(-90)\" text-anchor=\"middle\">samples</text>\n");
        sb.append("<text x=\"")
                .append(LEFT)
                .append("\" y=\"")
                .append(top - 8)
                .append("\" font-weight=\"bold\">")
                .append(escape(label))
                .append("</text>\n");
        double xr = x(restoreMs, span);
        sb.append("<line x1=\"")
                .append(fmt(xr))
                .append("\" y1=\"")
                .append(top)
                .append("\" x2=\"")
                .append(fmt(xr))
                .append("\" y2=\"")
                .append(top + PANEL_H)
                .append("\" stroke=\"black\" stroke-dasharray=\"4 3\"/>\n");
        timeAxis(sb, top + PANEL_H, span);
    }

    private static void line(
            StringBuilder sb,
            List<Timeline.Point> points,
            int top,
            double max,
            long span,
            String color,
            java.util.function.ToDoubleFunction<Timeline.Point> value) {
        if (points.isEmpty()) {
            return;
        }
        sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.6\" points=\"");
        for (Timeline.Point p : points) {
            double y = top + PANEL_H - PANEL_H * Math.min(1, value.applyAsDouble(p) / max);
            sb.append(fmt(x(p.tMs(), span))).append(',').append(fmt(y)).append(' ');
        }
        sb.append("\"/>\n");
    }
}
