package dev.edgepush.ingest.fleet;

import dev.edgepush.ingest.completeness.CompletenessLedger;
import dev.edgepush.proto.JsonString;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The fleet view of one tenant at one moment, in three formats: JSON ({@code GET /api/v1/fleet}),
 * one event of the page's stream ({@link #eventJson}, {@code GET /api/v1/fleet/events}) and the
 * page ({@link #html}, {@code GET /fleet}). Immutable.
 *
 * <p>JSON shape (unknown backlog values are {@code null}):
 *
 * <pre>
 * {"tenant":"42","time":"2026-01-01T00:00:00Z","offlineAfterSeconds":120,"robotsTotal":1,"robotsOnline":1,
 *  "robots":[{"robot":"r1","online":true,"lastPush":"2026-01-01T00:00:00Z","lastPushAgeSeconds":0.4,
 *             "samplesPerSecond":120.5,"pendingSamples":0,"oldestPendingAgeSeconds":null}]}
 * </pre>
 */
public final class FleetReport {
    /** How often the page reloads itself when the browser runs no scripts (with them it is live). */
    public static final int PAGE_REFRESH_SECONDS = 5;

    private final String tenant;
    private final long nowMs;
    private final long offlineAfterSeconds;
    private final List<FleetRegistry.RobotView> robots;
    private final CompletenessLedger completeness;

    public FleetReport(String tenant, long nowMs, FleetRegistry registry) {
        this.tenant = tenant;
        this.nowMs = nowMs;
        this.offlineAfterSeconds = registry.offlineAfter().toSeconds();
        this.robots = registry.view(tenant, nowMs);
        this.completeness = registry.completeness();
    }

    public List<FleetRegistry.RobotView> robots() {
        return robots;
    }

    public long onlineCount() {
        return robots.stream().filter(FleetRegistry.RobotView::online).count();
    }

    public String json() {
        StringBuilder sb = new StringBuilder(256 + 256 * robots.size());
        head(sb, ",\"time\":" + JsonString.quote(Instant.ofEpochMilli(nowMs).toString()), "");
        for (int i = 0; i < robots.size(); i++) {
            FleetRegistry.RobotView v = robots.get(i);
            FleetRegistry.RobotStatus s = v.status();
            sb.append(i == 0 ? "" : ",")
                    .append("\n{\"robot\":")
                    .append(JsonString.quote(s.robot()))
                    .append(",\"online\":")
                    .append(v.online())
                    .append(",\"lastPush\":")
                    .append(JsonString.quote(
                            Instant.ofEpochMilli(s.lastPushMs()).toString()));
            appendDelivery(sb, v, s).append('}');
        }
        return sb.append("]}\n").toString();
    }

    /**
     * One event of the fleet page's stream ({@code GET /api/v1/fleet/events}): everything the page
     * shows, on one line. Unknown values are {@code null}; {@code backlog} is {@code [epochSecond,
     * pendingSamples]} pairs of the last {@link BacklogHistory#SECONDS} seconds, oldest first.
     *
     * <pre>
     * {"tenant":"42","timeMs":1700000000000,"offlineAfterSeconds":120,"drainingAfterSeconds":10,
     *  "robotsTotal":1,"robotsOnline":1,"robots":[{"robot":"r1","state":"online","lastPushMs":1699999999600,
     *  "lastPushAgeSeconds":0.4,"samplesPerSecond":120.5,"pendingSamples":0,"oldestPendingAgeSeconds":null,
     *  "refusedSamples":{"tooOld":0,"tooNew":0},"droppedSamples":0,"clockSkewSeconds":-0.012,"backlog":[[1699999999,0]]}]}
     * </pre>
     */
    public String eventJson() {
        StringBuilder sb = new StringBuilder(256 + 1024 * robots.size());
        head(sb, ",\"timeMs\":" + nowMs, ",\"drainingAfterSeconds\":" + number(FleetRegistry.DRAINING_AFTER_SECONDS));
        for (int i = 0; i < robots.size(); i++) {
            FleetRegistry.RobotView v = robots.get(i);
            FleetRegistry.RobotStatus s = v.status();
            sb.append(i == 0 ? "" : ",")
                    .append("{\"robot\":")
                    .append(JsonString.quote(s.robot()))
                    .append(",\"state\":\"")
                    .append(v.state().label())
                    .append('"')
                    .append(",\"lastPushMs\":")
                    .append(s.lastPushMs());
            appendDelivery(sb, v, s)
                    .append(",\"droppedSamples\":")
                    .append(s.droppedSamples() < 0 ? "null" : Long.toString(s.droppedSamples()))
                    .append(",\"clockSkewSeconds\":")
                    .append(s.hasClockSkew() ? number(s.clockSkewMs() / 1000.0) : "null")
                    .append(",\"backlog\":[");
            List<BacklogHistory.Point> points = v.backlog();
            for (int j = 0; j < points.size(); j++) {
                BacklogHistory.Point p = points.get(j);
                sb.append(j == 0 ? "[" : ",[")
                        .append(p.epochSecond())
                        .append(',')
                        .append(p.pendingSamples())
                        .append(']');
            }
            sb.append("]}");
        }
        return sb.append("]}").toString();
    }

    /**
     * Both documents' start, up to their robot list: the tenant, {@code time} (the moment, as a
     * field), the offline threshold, {@code more} (fields one document adds), the robot counts.
     */
    private void head(StringBuilder sb, String time, String more) {
        sb.append("{\"tenant\":")
                .append(JsonString.quote(tenant))
                .append(time)
                .append(",\"offlineAfterSeconds\":")
                .append(offlineAfterSeconds)
                .append(more)
                .append(",\"robotsTotal\":")
                .append(robots.size())
                .append(",\"robotsOnline\":")
                .append(onlineCount())
                .append(",\"robots\":[");
    }

    /**
     * The fields both documents share: last push age, push rate, backlog and its oldest sample's age,
     * and the samples the storage would refuse ({@code refusedSamples}: too old for its retention, too
     * far ahead; counted since this server started).
     */
    private StringBuilder appendDelivery(StringBuilder sb, FleetRegistry.RobotView v, FleetRegistry.RobotStatus s) {
        return sb.append(",\"lastPushAgeSeconds\":")
                .append(number(ageSeconds(s)))
                .append(",\"samplesPerSecond\":")
                .append(number(v.samplesPerSecond()))
                .append(",\"pendingSamples\":")
                .append(s.pendingSamples() < 0 ? "null" : Long.toString(s.pendingSamples()))
                .append(",\"oldestPendingAgeSeconds\":")
                .append(s.oldestPendingAgeSeconds() < 0 ? "null" : number(s.oldestPendingAgeSeconds()))
                .append(",\"refusedSamples\":{\"tooOld\":")
                .append(v.tooOldSamples())
                .append(",\"tooNew\":")
                .append(v.tooNewSamples())
                .append('}')
                .append(",\"completeness\":")
                .append(completenessJson(completeness.get(s.tenant(), s.robot())));
    }

    /**
     * A robot's completeness accounting ({@link CompletenessLedger}) as JSON, or {@code null} when
     * none of its pushes carried edge-agent's sequence headers:
     *
     * <pre>
     * {"epoch":"9f2c...","epochs":1,"receivedExcerpts":1200,"receivedSamples":96000,"duplicateExcerpts":3,
     *  "duplicateSamples":240,"nextSeq":1260,"completeThroughSeq":1099,"completeUpTo":"2026-01-01T00:00:00Z",
     *  "missingExcerpts":{"dropped":40,"refused":0,"pending":20,"lost":0},"refusedSamples":0,
     *  "missingRanges":[{"first":1100,"last":1139,"excerpts":40,"reason":"dropped"}, ...],
     *  "robotDroppedSamples":{"disk_full":3200,"corrupt":0,"too_large":0,"rejected":0},"robotPendingSamples":1600}
     * </pre>
     */
    static String completenessJson(CompletenessLedger.Summary c) {
        if (c == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(512);
        sb.append("{\"epoch\":")
                .append(JsonString.quote(c.epoch()))
                .append(",\"epochs\":")
                .append(c.epochs())
                .append(",\"receivedExcerpts\":")
                .append(c.receivedExcerpts())
                .append(",\"receivedSamples\":")
                .append(c.receivedSamples())
                .append(",\"duplicateExcerpts\":")
                .append(c.duplicateExcerpts())
                .append(",\"duplicateSamples\":")
                .append(c.duplicateSamples())
                .append(",\"nextSeq\":")
                .append(c.nextSeq())
                .append(",\"completeThroughSeq\":")
                .append(c.completeThroughSeq())
                .append(",\"completeUpTo\":")
                .append(
                        c.completeThroughSeq() < 0 || c.completeUpToMs() <= 0
                                ? "null"
                                : JsonString.quote(
                                        Instant.ofEpochMilli(c.completeUpToMs()).toString()))
                .append(",\"missingExcerpts\":{");
        int i = 0;
        for (var e : c.missingExcerpts().entrySet()) {
            sb.append(i++ == 0 ? "" : ",")
                    .append(JsonString.quote(e.getKey()))
                    .append(':')
                    .append(e.getValue());
        }
        sb.append("},\"refusedSamples\":").append(c.refusedSamples()).append(",\"missingRanges\":[");
        i = 0;
        for (var r : c.missingRanges()) {
            sb.append(i++ == 0 ? "" : ",")
                    .append("{\"first\":")
                    .append(r.first())
                    .append(",\"last\":")
                    .append(r.last())
                    .append(",\"excerpts\":")
                    .append(r.last() - r.first() + 1)
                    .append(",\"reason\":")
                    .append(JsonString.quote(r.reason()))
                    .append('}');
        }
        sb.append("],\"robotDroppedSamples\":{");
        i = 0;
        for (var e : c.robotDroppedSamples().entrySet()) {
            sb.append(i++ == 0 ? "" : ",")
                    .append(JsonString.quote(e.getKey()))
                    .append(':')
                    .append(e.getValue());
        }
        return sb.append("},\"robotPendingSamples\":")
                .append(c.pendingSamples() < 0 ? "null" : Long.toString(c.pendingSamples()))
                .append('}')
                .toString();
    }

    /**
     * The fleet page ({@code GET /fleet}): the table as of now, rendered here so that it reads
     * without scripts (then it reloads itself every {@link #PAGE_REFRESH_SECONDS} s), and the
     * script that takes it over and keeps it live from the event stream: sorting, the filter,
     * trend charts and the robot detail view ({@code #robot=<name>}) are the script's.
     *
     * @param assetUrl the URL of one of the page's files by name ({@code fleet.js}, ...)
     */
    public String html(UnaryOperator<String> assetUrl) {
        StringBuilder sb = new StringBuilder(2048 + 600 * robots.size());
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<noscript><meta http-equiv=\"refresh\" content=\"")
                .append(PAGE_REFRESH_SECONDS)
                .append("\"></noscript>")
                .append("<title>Fleet, tenant ")
                .append(escape(tenant))
                .append("</title>\n")
                .append("<link rel=\"stylesheet\" href=\"")
                .append(assetUrl.apply("uPlot.min.css"))
                .append("\">")
                .append("<link rel=\"stylesheet\" href=\"")
                .append(assetUrl.apply("fleet.css"))
                .append("\">\n")
                .append("<script src=\"")
                .append(assetUrl.apply("uPlot.iife.min.js"))
                .append("\" defer></script>")
                .append("<script src=\"")
                .append(assetUrl.apply("fleet.js"))
                .append("\" defer></script>\n")
                .append("</head><body data-events=\"/api/v1/fleet/events\">\n<header><h1>Fleet, tenant ")
                .append(escape(tenant))
                .append("</h1>\n<p id=\"summary\">")
                .append(onlineCount())
                .append(" of ")
                .append(robots.size())
                .append(" robots online (pushed within ")
                .append(offlineAfterSeconds)
                .append(" s) at ")
                .append(escape(Instant.ofEpochMilli(nowMs).toString()))
                .append("</p>\n")
                .append("<p id=\"live\" class=\"live-off\">not live: this table is as of the time above")
                .append("<noscript> and reloads every ")
                .append(PAGE_REFRESH_SECONDS)
                .append(" s</noscript></p></header>\n")
                .append("<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"filter robots\"")
                .append(" aria-label=\"filter robots by name or state\"></div>\n")
                .append("<table id=\"fleet\"><thead><tr>")
                .append("<th data-key=\"robot\">robot</th><th data-key=\"state\">state</th>")
                .append("<th data-key=\"lastPush\">last push</th><th data-key=\"pending\">backlog</th>")
                .append("<th class=\"trend\">trend</th><th data-key=\"dropped\">dropped</th>")
                .append("<th data-key=\"complete\">complete</th>")
                .append("<th data-key=\"delay\">delay</th><th data-key=\"skew\">clock skew</th>")
                .append("</tr></thead>\n<tbody>\n");
        for (FleetRegistry.RobotView v : robots) {
            FleetRegistry.RobotStatus s = v.status();
            String state = v.state().label();
            sb.append("<tr data-robot=\"")
                    .append(escape(s.robot()))
                    .append("\">")
                    .append("<td class=\"robot\" data-label=\"robot\">")
                    .append(escape(s.robot()))
                    .append("</td>")
                    .append("<td class=\"state ")
                    .append(state)
                    .append("\" data-label=\"state\">")
                    .append(state)
                    .append("</td>")
                    .append("<td class=\"lastPush\" data-label=\"last push\">")
                    .append(String.format(Locale.ROOT, "%.1f s ago", ageSeconds(s)))
                    .append("</td>")
                    .append("<td class=\"pending\" data-label=\"backlog\">")
                    .append(s.pendingSamples() < 0 ? "?" : Long.toString(s.pendingSamples()))
                    .append("</td>")
                    .append("<td class=\"trend\" data-label=\"trend\"></td>")
                    .append("<td class=\"dropped\" data-label=\"dropped\">")
                    .append(s.droppedSamples() < 0 ? "?" : Long.toString(s.droppedSamples()))
                    .append("</td>")
                    .append(completeCell(completeness.get(s.tenant(), s.robot())))
                    .append("<td class=\"delay\" data-label=\"delay\">")
                    .append(
                            s.oldestPendingAgeSeconds() < 0
                                    ? "?"
                                    : String.format(Locale.ROOT, "%.0f s", s.oldestPendingAgeSeconds()))
                    .append("</td><td class=\"skew\" data-label=\"clock skew\">")
                    .append(s.hasClockSkew() ? String.format(Locale.ROOT, "%+.1f s", s.clockSkewMs() / 1000.0) : "?")
                    .append("</td></tr>\n");
        }
        return sb.append("</tbody></table>\n<section id=\"detail\" hidden></section>\n")
                .append(
                        "<p class=\"links\"><a href=\"/api/v1/fleet\">JSON</a> · <a href=\"/api/v1/fleet/events\">event stream</a></p>")
                .append("</body></html>\n")
                .toString();
    }

    /**
     * The table's "complete" cell: {@code complete} when nothing is missing but what is still
     * pending on the robot, else how many excerpts are missing (dropped, refused, lost); {@code ?}
     * for a robot whose pushes are not accounted. Its title says up to when it is complete.
     */
    static String completeCell(CompletenessLedger.Summary c) {
        if (c == null) {
            return "<td class=\"complete\" data-label=\"complete\">?</td>";
        }
        long gone = c.missingTotal() - c.missingExcerpts().getOrDefault("pending", 0L);
        String title = c.completeThroughSeq() < 0 || c.completeUpToMs() <= 0
                ? "nothing complete yet"
                : "complete up to " + Instant.ofEpochMilli(c.completeUpToMs());
        return "<td class=\"complete" + (gone > 0 ? " warn" : "") + "\" data-label=\"complete\" title=\""
                + escape(title) + "\">" + (gone > 0 ? gone + " missing" : "complete") + "</td>";
    }

    private double ageSeconds(FleetRegistry.RobotStatus s) {
        return Math.max(0, nowMs - s.lastPushMs()) / 1000.0;
    }

    private static String number(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
