package dev.edgepush.testbed.bench;

import dev.edgepush.testbed.json.JsonString;
import java.util.List;
import java.util.Locale;

/** The {@code -measure=fresh} results: a Markdown table, a line per agent, and JSON. */
final class FreshReport {
    private final List<FreshResult> results;
    private final String command;

    FreshReport(List<FreshResult> results, String command) {
        this.results = List.copyOf(results);
        this.command = command;
    }

    String markdown() {
        StringBuilder sb = new StringBuilder()
                .append("| agent | outage (s) | link after link-up | time to fresh (s) | first 2xx (s)"
                        + " | drain (s) | backlog at link-up | failed scrapes | lost |\n")
                .append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (FreshResult r : results) {
            sb.append("| ")
                    .append(r.agent())
                    .append(" | ")
                    .append(ResultsReport.fmt(r.outageSeconds(), 0))
                    .append(" | ")
                    .append(r.linkBytesPerSecond() > 0 ? r.linkBytesPerSecond() + " B/s" : "uncapped")
                    .append(" | ")
                    .append(ResultsReport.fmt(r.timeToFreshSeconds(), 1))
                    .append(" | ")
                    .append(ResultsReport.fmt(r.firstPushSeconds(), 1))
                    .append(" | ")
                    .append(ResultsReport.fmt(r.drainSeconds(), 1))
                    .append(" | ")
                    .append(r.backlogScrapes())
                    .append(" scrapes (~")
                    .append(r.backlogSamples())
                    .append(" samples) | ")
                    .append(r.failedScrapes())
                    .append(" | ")
                    .append(r.lostSamples())
                    .append(" of ")
                    .append(r.expectedSamples())
                    .append(" |\n");
        }
        return sb.append('\n')
                .append("Command: `")
                .append(command)
                .append("`\n")
                .toString();
    }

    String json() {
        StringBuilder sb = new StringBuilder("{\n  \"command\": ")
                .append(JsonString.quote(command))
                .append(",\n  \"fresh\": [");
        for (int i = 0; i < results.size(); i++) {
            FreshResult r = results.get(i);
            sb.append(i == 0 ? "\n" : ",\n")
                    .append("    {\"agent\": ")
                    .append(JsonString.quote(r.agent()))
                    .append(", \"outage_seconds\": ")
                    .append(num(r.outageSeconds()))
                    .append(", \"link_bytes_per_second\": ")
                    .append(r.linkBytesPerSecond())
                    .append(", \"time_to_fresh_seconds\": ")
                    .append(num(r.timeToFreshSeconds()))
                    .append(", \"first_push_seconds\": ")
                    .append(num(r.firstPushSeconds()))
                    .append(", \"drain_seconds\": ")
                    .append(num(r.drainSeconds()))
                    .append(", \"backlog_scrapes\": ")
                    .append(r.backlogScrapes())
                    .append(", \"backlog_samples_est\": ")
                    .append(r.backlogSamples())
                    .append(", \"expected_samples\": ")
                    .append(r.expectedSamples())
                    .append(", \"failed_scrapes\": ")
                    .append(r.failedScrapes())
                    .append(", \"lost_samples\": ")
                    .append(r.lostSamples())
                    .append('}');
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
    }
}
