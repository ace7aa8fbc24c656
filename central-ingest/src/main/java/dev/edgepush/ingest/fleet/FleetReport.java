package dev.edgepush.ingest.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The fleet view of one tenant at one moment, in two formats: JSON ({@code GET /api/v1/fleet})
 * and an HTML page that refreshes itself ({@code GET /fleet}, no scripts). Immutable.
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
  /** How often the page reloads itself; agents push every second, people look for minutes. */
  public static final int PAGE_REFRESH_SECONDS = 5;
  private final String tenant;
  private final long nowMs;
  private final long offlineAfterSeconds;
  private final List<FleetRegistry.RobotView> robots;

  public FleetReport(String tenant, long nowMs, FleetRegistry registry) {
    this.tenant = tenant;
    this.nowMs = nowMs;
    this.offlineAfterSeconds = registry.offlineAfter().toSeconds();
    this.robots = registry.view(tenant, nowMs);
  }

  public List<FleetRegistry.RobotView> robots() {
    return robots;
  }

  public long onlineCount() {
    return robots.stream().filter(FleetRegistry.RobotView::online).count();
  }

  public String json() {
    StringBuilder sb = new StringBuilder(256 + 256 * robots.size());
    sb.append("{\"tenant\":").append(quote(tenant))
        .append(",\"time\":").append(quote(Instant.ofEpochMilli(nowMs).toString()))
        .append(",\"offlineAfterSeconds\":").append(offlineAfterSeconds)
        .append(",\"robotsTotal\":").append(robots.size())
        .append(",\"robotsOnline\":").append(onlineCount())
        .append(",\"robots\":[");
    for (int i = 0; i < robots.size(); i++) {
      FleetRegistry.RobotView v = robots.get(i);
      FleetRegistry.RobotStatus s = v.status();
      sb.append(i == 0 ? "" : ",").append("\n{\"robot\":").append(quote(s.robot()))
          .append(",\"online\":").append(v.online())
          .append(",\"lastPush\":").append(quote(Instant.ofEpochMilli(s.lastPushMs()).toString()))
          .append(",\"lastPushAgeSeconds\":").append(number(ageSeconds(s)))
          .append(",\"samplesPerSecond\":").append(number(v.samplesPerSecond()))
          .append(",\"pendingSamples\":").append(s.pendingSamples() < 0 ? "null" : Long.toString(s.pendingSamples()))
          .append(",\"oldestPendingAgeSeconds\":")
          .append(s.oldestPendingAgeSeconds() < 0 ? "null" : number(s.oldestPendingAgeSeconds()))
          .append('}');
    }
    return sb.append("]}\n").toString();
  }

  public String html() {
    StringBuilder sb = new StringBuilder(1024 + 300 * robots.size());
    sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"refresh\" content=\"").append(PAGE_REFRESH_SECONDS).append("\">")
        .append("<title>Fleet, tenant ").append(escape(tenant)).append("</title>")
        .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
        .append("td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:right}")
        .append("td:first-child,th:first-child{text-align:left}.on{color:#070}.off{color:#b00;font-weight:bold}</style>")
        .append("</head><body>\n<h1>Fleet, tenant ").append(escape(tenant)).append("</h1>\n<p>")
        .append(onlineCount()).append(" of ").append(robots.size()).append(" robots online (pushed within ")
        .append(offlineAfterSeconds).append(" s) at ").append(escape(Instant.ofEpochMilli(nowMs).toString()))
        .append("; this page reloads every ").append(PAGE_REFRESH_SECONDS).append(" s.</p>\n")
        .append("<table><tr><th>robot</th><th>state</th><th>last push</th><th>samples/s (1 min)</th>")
        .append("<th>pending samples</th><th>oldest pending</th></tr>\n");
    for (FleetRegistry.RobotView v : robots) {
      FleetRegistry.RobotStatus s = v.status();
      sb.append("<tr><td>").append(escape(s.robot())).append("</td><td class=\"")
          .append(v.online() ? "on\">online" : "off\">offline").append("</td><td>")
          .append(String.format(Locale.ROOT, "%.1f s ago", ageSeconds(s))).append("</td><td>")
          .append(String.format(Locale.ROOT, "%.1f", v.samplesPerSecond())).append("</td><td>")
          .append(s.pendingSamples() < 0 ? "?" : Long.toString(s.pendingSamples())).append("</td><td>")
          .append(s.oldestPendingAgeSeconds() < 0 ? "?" : String.format(Locale.ROOT, "%.0f s", s.oldestPendingAgeSeconds()))
          .append("</td></tr>\n");
    }
    return sb.append("</table>\n<p><a href=\"/api/v1/fleet\">JSON</a></p></body></html>\n").toString();
  }

  private double ageSeconds(FleetRegistry.RobotStatus s) {
    return Math.max(0, nowMs - s.lastPushMs()) / 1000.0;
  }

  private static String number(double d) {
    return String.format(Locale.ROOT, "%.3f", d);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
