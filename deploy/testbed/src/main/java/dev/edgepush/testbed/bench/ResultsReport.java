package dev.edgepush.testbed.bench;

import dev.edgepush.testbed.json.JsonString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Renders benchmark results as a Markdown table and as JSON, with the ratio edge-agent / vmagent
 * judged against the first bar of issue 3: peak RSS at most 2.5x, CPU at most 1.5x, drain at
 * most 2x with nothing lost.
 */
public final class ResultsReport {
    static final double RSS_BAR = 2.5;
    static final double CPU_BAR = 1.5;
    static final double DRAIN_BAR = 2.0;

    private final List<AgentResult> results;
    private final String command;

    /**
     * @param results one per agent, in run order
     * @param command the command line that produced them, printed with the table
     */
    public ResultsReport(List<AgentResult> results, String command) {
        this.results = List.copyOf(results);
        this.command = command;
    }

    private record Row(String name, String unit, ToDoubleFunction<AgentResult> value, int decimals, double bar) {}

    private static List<Row> rows() {
        return List.of(
                new Row("peak RSS, steady (VmHWM)", "MiB", AgentResult::steadyPeakRssMiB, 1, RSS_BAR),
                new Row("peak RSS, whole run", "MiB", AgentResult::runPeakRssMiB, 1, Double.NaN),
                new Row("CPU, steady", "s/min", AgentResult::cpuSecondsPerMinute, 2, CPU_BAR),
                new Row(
                        "CPU, from start (start-up and warm-up included)",
                        "s/min",
                        AgentResult::cpuFromStartPerMinute,
                        2,
                        Double.NaN),
                new Row("drain after outage", "s", AgentResult::drainSeconds, 1, DRAIN_BAR),
                new Row("of which waiting for first 2xx", "s", AgentResult::firstPushSeconds, 1, Double.NaN),
                new Row("lost samples", "of expected", r -> r.lostSamples(), 0, Double.NaN),
                new Row("disk per buffered sample", "B", AgentResult::diskBytesPerSample, 1, Double.NaN),
                new Row("wire per sample, steady", "B", AgentResult::wireBytesPerSample, 2, Double.NaN));
    }

    private AgentResult find(String agent) {
        return results.stream().filter(r -> r.agent().equals(agent)).findFirst().orElse(null);
    }

    /** The verdict on a bar, or "" when there is nothing to compare. */
    static String verdict(Row row, AgentResult edge, AgentResult vm) {
        if (edge == null || vm == null || Double.isNaN(row.bar)) {
            return "";
        }
        double ratio = ratio(row.value.applyAsDouble(edge), row.value.applyAsDouble(vm));
        boolean ok = !Double.isNaN(ratio) && ratio <= row.bar;
        if (row.bar == DRAIN_BAR) {
            ok = ok && edge.lostSamples() == 0;
            return (ok ? "PASS" : "FAIL") + " (<= " + fmt(row.bar, 1) + "x, nothing lost)";
        }
        return (ok ? "PASS" : "FAIL") + " (<= " + fmt(row.bar, 1) + "x)";
    }

    static double ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.NaN;
        }
        if (b == 0) {
            return a == 0 ? 1 : Double.POSITIVE_INFINITY;
        }
        return a / b;
    }

    /** The Markdown table, followed by the command line. */
    public String markdown() {
        AgentResult edge = find("edge-agent");
        AgentResult vm = find("vmagent");
        boolean compare = edge != null && vm != null;
        StringBuilder sb = new StringBuilder();
        List<String> head = new ArrayList<>(List.of("metric", "unit"));
        results.forEach(r -> head.add(r.agent()));
        if (compare) {
            head.add("edge-agent / vmagent");
            head.add("bar");
        }
        line(sb, head);
        List<String> sep = new ArrayList<>();
        for (int i = 0; i < head.size(); i++) {
            sep.add(i < 2 ? "---" : "---:");
        }
        line(sb, sep);
        for (Row row : rows()) {
            List<String> cells = new ArrayList<>(List.of(row.name, row.unit));
            for (AgentResult r : results) {
                String v = fmt(row.value.applyAsDouble(r), row.decimals);
                cells.add(row.name.equals("lost samples") ? v + " of " + r.expectedSamples() : v);
            }
            if (compare) {
                double ratio = ratio(row.value.applyAsDouble(edge), row.value.applyAsDouble(vm));
                cells.add(row.name.equals("lost samples") ? "" : fmt(ratio, 2) + "x");
                cells.add(verdict(row, edge, vm));
            }
            line(sb, cells);
        }
        sb.append('\n').append("Command: `").append(command).append("`\n");
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells) {
        sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    static String fmt(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return "inf";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** The results as a JSON document: the command, one object per agent, the bars. */
    public String json() {
        StringBuilder sb = new StringBuilder("{\n  \"command\": ")
                .append(JsonString.quote(command))
                .append(",\n");
        sb.append("  \"agents\": [");
        for (int i = 0; i < results.size(); i++) {
            AgentResult r = results.get(i);
            sb.append(i == 0 ? "\n" : ",\n")
                    .append("    {")
                    .append("\"agent\": ")
                    .append(JsonString.quote(r.agent()))
                    .append(", \"peak_rss_steady_mib\": ")
                    .append(num(r.steadyPeakRssMiB()))
                    .append(", \"peak_rss_run_mib\": ")
                    .append(num(r.runPeakRssMiB()))
                    .append(", \"cpu_seconds_per_minute\": ")
                    .append(num(r.cpuSecondsPerMinute()))
                    .append(", \"cpu_seconds_per_minute_from_start\": ")
                    .append(num(r.cpuFromStartPerMinute()))
                    .append(", \"first_push_seconds\": ")
                    .append(num(r.firstPushSeconds()))
                    .append(", \"drain_seconds\": ")
                    .append(num(r.drainSeconds()))
                    .append(", \"expected_samples\": ")
                    .append(r.expectedSamples())
                    .append(", \"lost_samples\": ")
                    .append(r.lostSamples())
                    .append(", \"outage_buffered_samples\": ")
                    .append(r.outageSamples())
                    .append(", \"outage_peak_disk_bytes\": ")
                    .append(r.outagePeakDiskBytes())
                    .append(", \"disk_bytes_per_buffered_sample\": ")
                    .append(num(r.diskBytesPerSample()))
                    .append(", \"wire_bytes_per_sample\": ")
                    .append(num(r.wireBytesPerSample()))
                    .append('}');
        }
        sb.append("\n  ]");
        AgentResult edge = find("edge-agent");
        AgentResult vm = find("vmagent");
        if (edge != null && vm != null) {
            sb.append(",\n  \"bars\": [");
            boolean first = true;
            for (Row row : rows()) {
                if (Double.isNaN(row.bar)) {
                    continue;
                }
                double ratio = ratio(row.value.applyAsDouble(edge), row.value.applyAsDouble(vm));
                sb.append(first ? "\n" : ",\n")
                        .append("    {\"metric\": ")
                        .append(JsonString.quote(row.name))
                        .append(", \"ratio\": ")
                        .append(num(ratio))
                        .append(", \"max_ratio\": ")
                        .append(num(row.bar))
                        .append(", \"pass\": ")
                        .append(verdict(row, edge, vm).startsWith("PASS"))
                        .append('}');
                first = false;
            }
            sb.append("\n  ]");
        }
        return sb.append("\n}\n").toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
    }
}
