package dev.edgepush.agent;

import dev.edgepush.agent.scrape.TargetStatus;
import dev.edgepush.forward.send.Sender;
import dev.edgepush.proto.JsonString;
import java.time.Instant;
import java.util.List;

/**
 * Renders {@code /targets}: each target, the buffer, the remote. Plain HTML; a small script
 * polls {@code /api/v1/status} ({@link #statusJson}) every second and updates the buffer and
 * remote values in place, so a backlog is seen draining. Without scripts the page reloads every
 * 5 s.
 */
final class TargetsPage {
    private TargetsPage() {}

    /** {@code appendFailure}: why the buffer cannot write right now (a full disk), or null. */
    static String render(
            List<TargetStatus> targets,
            AgentMetrics m,
            Sender sender,
            String appendFailure,
            String remote,
            long nowMs) {
        return render(targets, m, sender, appendFailure, remote, -1, nowMs);
    }

    /**
     * @param remote the remote's label, {@code <n>:<url>} ({@link RemoteSpec#label}): shown as the URL
     *     and, with several remotes, "-remoteWrite.url #n"
     * @param startedMs when the agent started (for its uptime), or -1 to leave the uptime out
     */
    static String render(
            List<TargetStatus> targets,
            AgentMetrics m,
            Sender sender,
            String appendFailure,
            String remote,
            long startedMs,
            long nowMs) {
        return render(targets, m, sender, appendFailure, remote, startedMs, nowMs, 0);
    }

    /** @param index the remote's place in {@link #statusJson}'s list, for the live updates */
    private static String render(
            List<TargetStatus> targets,
            AgentMetrics m,
            Sender sender,
            String appendFailure,
            String remote,
            long startedMs,
            long nowMs,
            int index) {
        int colon = remote.indexOf(':');
        boolean numbered = colon > 0 && remote.substring(0, colon).chars().allMatch(Character::isDigit);
        String url = numbered ? remote.substring(colon + 1) : remote;
        String which = numbered ? " (-remoteWrite.url #" + remote.substring(0, colon) + ")" : "";
        StringBuilder sb = new StringBuilder(4096);
        sb.append("<!doctype html><html><head><meta charset=\"utf-8\">")
                .append("<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>")
                .append("<title>edge-agent targets</title><style>body{font-family:sans-serif;margin:2em}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
                .append(".up{color:#070}.down{color:#b00;font-weight:bold}</style></head><body>");
        sb.append("<h1>edge-agent ").append(Agent.VERSION).append("</h1>");
        if (index == 0) {
            sb.append("<p id=\"live\">not live: the values below are as of the page's loading</p>");
        }
        if (startedMs >= 0) {
            sb.append("<p>up ")
                    .append(uptime(nowMs - startedMs))
                    .append(", since ")
                    .append(Instant.ofEpochMilli(startedMs))
                    .append("</p>");
        }
        sb.append("<h2>Targets</h2><table><tr><th>job</th><th>endpoint</th><th>state</th>")
                .append("<th>last scrape</th><th>duration</th><th>samples</th><th>error</th></tr>");
        for (TargetStatus t : targets) {
            boolean never = t.lastScrapeMs() == 0;
            sb.append("<tr><td>")
                    .append(esc(t.target.job()))
                    .append("</td><td>")
                    .append(esc(t.target.url().toString()))
                    .append("</td><td class=\"")
                    .append(never ? "" : t.up() ? "up" : "down")
                    .append("\">")
                    .append(never ? "pending" : t.up() ? "UP" : "DOWN")
                    .append("</td><td>")
                    .append(never ? "never" : ago(nowMs - t.lastScrapeMs()))
                    .append("</td><td>")
                    .append(t.lastDurationMs())
                    .append(" ms</td><td>")
                    .append(t.lastSamples())
                    .append("</td><td>")
                    .append(esc(t.lastError()))
                    .append("</td></tr>");
        }
        sb.append("</table><h2>Buffer</h2><table>")
                .append(row("remote", esc(url) + which))
                .append(row(
                        "state",
                        appendFailure == null
                                ? "<span class=\"up\">writable</span>"
                                : "<span class=\"down\">DISK FULL</span>: " + esc(appendFailure)
                                        + " (new scrapes are dropped and counted as disk_full)"))
                .append(liveRow("pending samples", index, "pending", Long.toString(m.pendingSamples())))
                .append(liveRow(
                        "oldest pending",
                        index,
                        "oldest",
                        m.pendingSamples() == 0
                                ? "none"
                                : String.format(java.util.Locale.ROOT, "%.1f s ago", m.oldestPendingAgeSeconds())))
                .append(row(
                        "disk (allocated)",
                        "<span title=\"" + m.diskBytes() + " bytes\">" + humanBytes(m.diskBytes()) + "</span>"))
                .append(liveRow(
                        "dropped: rejected / disk_full / corrupt / too_large",
                        index,
                        "dropped",
                        m.droppedTotal("rejected") + " / " + m.droppedTotal("disk_full") + " / "
                                + m.droppedTotal("corrupt") + " / " + m.droppedTotal("too_large")))
                .append("</table><h2>Remote</h2><table>")
                .append(row("url", esc(url) + which))
                .append(liveRow(
                        "state",
                        index,
                        "remote",
                        sender.unreachable()
                                ? "<span class=\"down\">UNAVAILABLE</span>"
                                : "<span class=\"up\">OK</span>"))
                .append(liveRow(
                        "last success",
                        index,
                        "lastSuccess",
                        sender.lastSuccessMs() == 0
                                ? "never"
                                : Instant.ofEpochMilli(sender.lastSuccessMs()) + " ("
                                        + ago(nowMs - sender.lastSuccessMs()) + ")"))
                .append(liveRow("last error", index, "lastError", esc(sender.lastError())))
                .append(liveRow("samples sent", index, "sent", Long.toString(m.samplesSent.sum())))
                .append("</table><p><a href=\"/metrics\">/metrics</a> · <a href=\"/health\">/health</a>")
                .append(" · <a href=\"/api/v1/status\">/api/v1/status</a></p>")
                .append(SCRIPT)
                .append("</body></html>\n");
        return sb.toString();
    }

    /**
     * The page of an agent with one or more remotes: each remote gets its own buffer and remote
     * tables, headed by its {@code url} label ({@link RemoteSpec#label}).
     */
    static String render(List<TargetStatus> targets, List<Remote> remotes, long startedMs, long nowMs) {
        String first = render(
                targets,
                remotes.get(0).metrics,
                remotes.get(0).sender,
                remotes.get(0).buffer.appendFailure(),
                remotes.size() == 1
                        ? remotes.get(0).spec.url()
                        : remotes.get(0).spec.label(),
                startedMs,
                nowMs);
        if (remotes.size() == 1) {
            return first;
        }
        int tail = first.lastIndexOf("<p><a href=\"/metrics\">");
        StringBuilder sb = new StringBuilder(first.substring(0, tail));
        for (int i = 1; i < remotes.size(); i++) {
            Remote r = remotes.get(i);
            String page =
                    render(List.of(), r.metrics, r.sender, r.buffer.appendFailure(), r.spec.label(), -1, nowMs, i);
            sb.append("<hr>")
                    .append(page, page.indexOf("<h2>Buffer</h2>"), page.lastIndexOf("<p><a href=\"/metrics\">"));
        }
        sb.append(first.substring(tail));
        return sb.toString();
    }

    /**
     * The live values of every remote, in {@code -remoteWrite.url} order, as {@code GET
     * /api/v1/status} answers ({@code lastSuccessMs} 0 = never; {@code lastError} null = none):
     *
     * <pre>
     * {"timeMs":1700000000000,"remotes":[{"url":"http://ingest:8427/api/v1/write","pendingSamples":0,
     *  "oldestPendingAgeSeconds":0.000,"dropped":{"rejected":0,"disk_full":0,"corrupt":0,"too_large":0},
     *  "unreachable":false,"lastSuccessMs":1699999999500,"lastError":null,"samplesSent":120}]}
     * </pre>
     */
    static String statusJson(List<Remote> remotes, long nowMs) {
        StringBuilder sb = new StringBuilder(256 * remotes.size() + 64)
                .append("{\"timeMs\":")
                .append(nowMs)
                .append(",\"remotes\":[");
        for (int i = 0; i < remotes.size(); i++) {
            Remote r = remotes.get(i);
            AgentMetrics m = r.metrics;
            sb.append(i == 0 ? "" : ",")
                    .append("{\"url\":")
                    .append(JsonString.quote(r.spec.url()))
                    .append(",\"pendingSamples\":")
                    .append(m.pendingSamples())
                    .append(",\"oldestPendingAgeSeconds\":")
                    .append(String.format(
                            java.util.Locale.ROOT, "%.3f", m.pendingSamples() == 0 ? 0 : m.oldestPendingAgeSeconds()))
                    .append(",\"dropped\":{\"rejected\":")
                    .append(m.droppedTotal("rejected"))
                    .append(",\"disk_full\":")
                    .append(m.droppedTotal("disk_full"))
                    .append(",\"corrupt\":")
                    .append(m.droppedTotal("corrupt"))
                    .append(",\"too_large\":")
                    .append(m.droppedTotal("too_large"))
                    .append("},\"unreachable\":")
                    .append(r.sender.unreachable())
                    .append(",\"lastSuccessMs\":")
                    .append(r.sender.lastSuccessMs())
                    .append(",\"lastError\":")
                    .append(
                            r.sender.lastError() == null || r.sender.lastError().isEmpty()
                                    ? "null"
                                    : JsonString.quote(r.sender.lastError()))
                    .append(",\"samplesSent\":")
                    .append(m.samplesSent.sum())
                    .append('}');
        }
        return sb.append("]}\n").toString();
    }

    /**
     * Polls /api/v1/status every second and rewrites the cells marked {@code data-field}; says in
     * #live whether it is live. With several remotes the script is in the page once per remote
     * section; only the first runs (the guard).
     */
    private static final String SCRIPT = """
      <script>
      (function () {
        if (window.edgeAgentLive) return;
        window.edgeAgentLive = true;
        const live = document.getElementById('live');
        const ago = (ms) => (Math.max(0, ms) / 1000).toFixed(1) + ' s ago';
        const FIELDS = {
          pending: (r) => String(r.pendingSamples),
          oldest: (r) => r.pendingSamples === 0 ? 'none' : r.oldestPendingAgeSeconds.toFixed(1) + ' s ago',
          dropped: (r) => [r.dropped.rejected, r.dropped.disk_full, r.dropped.corrupt, r.dropped.too_large].join(' / '),
          lastSuccess: (r, now) => r.lastSuccessMs === 0 ? 'never'
            : new Date(r.lastSuccessMs).toISOString() + ' (' + ago(now - r.lastSuccessMs) + ')',
          lastError: (r) => r.lastError || '',
          sent: (r) => String(r.samplesSent),
        };
        async function tick() {
          try {
            const res = await fetch('/api/v1/status', {cache: 'no-store'});
            if (!res.ok) throw new Error('HTTP ' + res.status);
            const s = await res.json();
            for (const td of document.querySelectorAll('td[data-field]')) {
              const r = s.remotes[Number(td.dataset.remote)];
              if (!r) continue;
              if (td.dataset.field === 'remote') {
                td.innerHTML = r.unreachable ? '<span class="down">UNAVAILABLE</span>' : '<span class="up">OK</span>';
              } else if (FIELDS[td.dataset.field]) {
                td.textContent = FIELDS[td.dataset.field](r, s.timeMs);
              }
            }
            live.textContent = 'live: updated every second';
          } catch (e) {
            live.textContent = 'not live: ' + e.message;
          }
        }
        tick();
        setInterval(tick, 1000);
      })();
      </script>
      """;

    private static String liveRow(String k, int index, String field, String v) {
        return "<tr><th>" + k + "</th><td data-remote=\"" + index + "\" data-field=\"" + field + "\">" + v
                + "</td></tr>";
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
