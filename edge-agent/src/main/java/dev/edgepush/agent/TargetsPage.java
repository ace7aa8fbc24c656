package dev.edgepush.agent;

import dev.edgepush.agent.scrape.TargetStatus;
import dev.edgepush.forward.send.Sender;
import java.time.Instant;
import java.util.List;

/** Renders {@code /targets}: each target, the buffer, the remote. Plain HTML, no scripts. */
final class TargetsPage {
  private TargetsPage() {}

  /** {@code appendFailure}: why the buffer cannot write right now (a full disk), or null. */
  static String render(List<TargetStatus> targets, AgentMetrics m, Sender sender, String appendFailure,
      String remote, long nowMs) {
    return render(targets, m, sender, appendFailure, remote, -1, nowMs);
  }

  /**
   * @param remote the remote's label, {@code <n>:<url>} ({@link RemoteSpec#label}): shown as the URL
   *     and, with several remotes, "-remoteWrite.url #n"
   * @param startedMs when the agent started (for its uptime), or -1 to leave the uptime out
   */
  static String render(List<TargetStatus> targets, AgentMetrics m, Sender sender, String appendFailure,
      String remote, long startedMs, long nowMs) {
    int colon = remote.indexOf(':');
    boolean numbered = colon > 0 && remote.substring(0, colon).chars().allMatch(Character::isDigit);
    String url = numbered ? remote.substring(colon + 1) : remote;
    String which = numbered ? " (-remoteWrite.url #" + remote.substring(0, colon) + ")" : "";
    StringBuilder sb = new StringBuilder(4096);
    sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">")
        .append("<title>edge-agent targets</title><style>body{font-family:sans-serif;margin:2em}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
        .append(".up{color:#070}.down{color:#b00;font-weight:bold}</style></head><body>");
    sb.append("<h1>edge-agent ").append(Agent.VERSION).append("</h1>");
    if (startedMs >= 0) {
      sb.append("<p>up ").append(uptime(nowMs - startedMs)).append(", since ").append(Instant.ofEpochMilli(startedMs))
          .append("</p>");
    }
    sb.append("<h2>Targets</h2><table><tr><th>job</th><th>endpoint</th><th>state</th>")
        .append("<th>last scrape</th><th>duration</th><th>samples</th><th>error</th></tr>");
    for (TargetStatus t : targets) {
      boolean never = t.lastScrapeMs() == 0;
      sb.append("<tr><td>").append(esc(t.target.job())).append("</td><td>").append(esc(t.target.url().toString()))
          .append("</td><td class=\"").append(never ? "" : t.up() ? "up" : "down").append("\">")
          .append(never ? "pending" : t.up() ? "UP" : "DOWN").append("</td><td>")
          .append(never ? "never" : ago(nowMs - t.lastScrapeMs())).append("</td><td>")
          .append(t.lastDurationMs()).append(" ms</td><td>").append(t.lastSamples()).append("</td><td>")
          .append(esc(t.lastError())).append("</td></tr>");
    }
    sb.append("</table><h2>Buffer</h2><table>")
        .append(row("remote", esc(url) + which))
        .append(row("state", appendFailure == null ? "<span class=\"up\">writable</span>"
            : "<span class=\"down\">DISK FULL</span>: " + esc(appendFailure)
                + " (new scrapes are dropped and counted as disk_full)"))
        .append(row("pending samples", Long.toString(m.pendingSamples())))
        .append(row("oldest pending", m.pendingSamples() == 0 ? "none" : String.format("%.1f s ago", m.oldestPendingAgeSeconds())))
        .append(row("disk (allocated)", "<span title=\"" + m.diskBytes() + " bytes\">" + humanBytes(m.diskBytes())
            + "</span>"))
        .append(row("dropped: rejected / disk_full / corrupt / too_large", m.droppedTotal("rejected") + " / "
            + m.droppedTotal("disk_full") + " / " + m.droppedTotal("corrupt") + " / " + m.droppedTotal("too_large")))
        .append("</table><h2>Remote</h2><table>")
        .append(row("url", esc(url) + which))
        .append(row("state", sender.unreachable() ? "<span class=\"down\">UNAVAILABLE</span>" : "<span class=\"up\">OK</span>"))
        .append(row("last success", sender.lastSuccessMs() == 0 ? "never" : Instant.ofEpochMilli(sender.lastSuccessMs()) + " (" + ago(nowMs - sender.lastSuccessMs()) + ")"))
        .append(row("last error", esc(sender.lastError())))
        .append(row("samples sent", Long.toString(m.samplesSent.sum())))
        .append("</table><p><a href=\"/metrics\">/metrics</a> · <a href=\"/health\">/health</a></p></body></html>\n");
    return sb.toString();
  }

  /**
   * The page of an agent with one or more remotes: each remote gets its own buffer and remote
   * tables, headed by its {@code url} label ({@link RemoteSpec#label}).
   */
  static String render(List<TargetStatus> targets, List<Remote> remotes, long startedMs, long nowMs) {
    String first = render(targets, remotes.get(0).metrics, remotes.get(0).sender,
        remotes.get(0).buffer.appendFailure(), remotes.size() == 1 ? remotes.get(0).spec.url() : remotes.get(0).spec.label(),
        startedMs, nowMs);
    if (remotes.size() == 1) {
      return first;
    }
    int tail = first.lastIndexOf("<p><a href=\"/metrics\">");
    StringBuilder sb = new StringBuilder(first.substring(0, tail));
    for (Remote r : remotes.subList(1, remotes.size())) {
      String page = render(List.of(), r.metrics, r.sender, r.buffer.appendFailure(), r.spec.label(), nowMs);
      sb.append("<hr>").append(page, page.indexOf("<h2>Buffer</h2>"), page.lastIndexOf("<p><a href=\"/metrics\">"));
    }
    sb.append(first.substring(tail));
    return sb.toString();
  }

  private static String row(String k, String v) {
    return "<tr><th>" + k + "</th><td>" + v + "</td></tr>";
  }

  /** 1023 B, 12.3 KiB, 12.3 MiB, 1.2 GiB: what a person reads at a glance (the exact count is the title). */
  static String humanBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** 42 s, 5 min 3 s, 2 h 5 min, 3 d 4 h. */
  static String uptime(long ms) {
    long s = Math.max(0, ms) / 1000;
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return s / 60 + " min " + s % 60 + " s";
    }
    if (s < 86_400) {
      return s / 3600 + " h " + s % 3600 / 60 + " min";
    }
    return s / 86_400 + " d " + s % 86_400 / 3600 + " h";
  }

  private static String ago(long ms) {
    return String.format("%.1f s ago", Math.max(0, ms) / 1000.0);
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
