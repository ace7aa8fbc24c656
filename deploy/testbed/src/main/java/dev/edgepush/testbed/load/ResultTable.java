package dev.edgepush.testbed.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders load runs as a Markdown table and judges issue 4's first bar. */
public final class ResultTable {
    /** central-ingest must accept at least this share of vmagent-as-receiver's samples/s. */
    public static final double MIN_SHARE_OF_VMAGENT = 0.5;

    private ResultTable() {}

    public static String markdown(List<ReceiverRun> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                "| receiver | samples/s accepted | 2xx requests | non-2xx | receiver CPU s / M samples (load) "
                        + "| receiver CPU s / M samples (load + drain) | receiver peak RSS MiB | VictoriaMetrics CPU s / M samples "
                        + "| distinct samples accepted | stored in VM (dedup) | samples accepted, all | rows VM received | drain s |\n");
        sb.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ReceiverRun r : runs) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %,.0f | %,d | %s | %.2f | %.2f | %,.0f | %.2f | %,d | %,d | %,d | %,d | %.1f |%n",
                    r.receiver(),
                    r.samplesPerSecond(),
                    r.acceptedRequests(),
                    r.non2xx() == 0 ? "0" : r.non2xx() + " " + r.rejectedByCode(),
                    r.cpuPerMillion(r.loadCpuSeconds()),
                    r.cpuPerMillion(r.drainCpuSeconds()),
                    r.peakRssBytes() / 1048576.0,
                    r.cpuPerMillion(r.storageCpuSeconds()),
                    r.distinctAccepted(),
                    r.stored(),
                    r.totalAccepted(),
                    r.storageRowsInserted(),
                    r.drainSeconds()));
        }
        return sb.toString();
    }

    /**
     * Issue 18's bar, reported (PASS/FAIL stays the first bar's): central-ingest's samples/s over
     * vmagent's, and vmagent's receiver CPU seconds per million samples over central-ingest's, both
     * at least 1.0. Over several rounds, of each receiver's medians.
     */
    static String parity(String what, double ingestRate, double vmagentRate, double ingestCpu, double vmagentCpu) {
        double rate = ingestRate / vmagentRate;
        double cpu = vmagentCpu / ingestCpu;
        return String.format(
                Locale.ROOT,
                "- %s: samples/s %.2f x vmagent's, CPU s per M samples %.3f vs vmagent's %.3f (vmagent's / central-ingest's ="
                        + " %.2f); both at least 1.00: %s",
                what,
                rate,
                ingestCpu,
                vmagentCpu,
                cpu,
                rate >= 1.0 && cpu >= 1.0 ? "yes" : "no");
    }

    static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public static List<String> verdict(ReceiverRun ingest, ReceiverRun vmagent) {
        return verdict(List.of(ingest), List.of(vmagent));
    }

    /**
     * The verdict lines over rounds (run i of each receiver is round i), the last one {@code PASS}
     * or {@code FAIL}: central-ingest's median samples/s at least half of vmagent's, no non-2xx
     * answer from central-ingest in any run, and every accepted sample stored in every run. Before
     * them, issue 18's ratios of the medians and of each round (the machine's speed moves between
     * runs: a round's two runs are minutes apart, the medians are the figure to quote).
     */
    public static List<String> verdict(List<ReceiverRun> ingest, List<ReceiverRun> vmagent) {
        double ingestRate =
                median(ingest.stream().map(ReceiverRun::samplesPerSecond).toList());
        double vmagentRate =
                median(vmagent.stream().map(ReceiverRun::samplesPerSecond).toList());
        double share = ingestRate / vmagentRate;
        boolean fast = share >= MIN_SHARE_OF_VMAGENT;
        long non2xx = ingest.stream().mapToLong(ReceiverRun::non2xx).sum();
        boolean clean = non2xx == 0;
        boolean delivered = ingest.stream().allMatch(ReceiverRun::delivered)
                && vmagent.stream().allMatch(ReceiverRun::delivered);
        List<String> lines = new ArrayList<>();
        lines.add(parity(
                ingest.size() == 1 ? "next to vmagent" : "next to vmagent, medians of " + ingest.size() + " rounds",
                ingestRate,
                vmagentRate,
                median(ingest.stream().map(ReceiverRun::loadCpuPerMillion).toList()),
                median(vmagent.stream().map(ReceiverRun::loadCpuPerMillion).toList())));
        for (int i = 0; ingest.size() > 1 && i < Math.min(ingest.size(), vmagent.size()); i++) {
            lines.add("  "
                    + parity(
                            "round " + (i + 1),
                            ingest.get(i).samplesPerSecond(),
                            vmagent.get(i).samplesPerSecond(),
                            ingest.get(i).loadCpuPerMillion(),
                            vmagent.get(i).loadCpuPerMillion()));
        }
        lines.add(String.format(
                Locale.ROOT,
                "- throughput: central-ingest %,.0f samples/s = %.2f x vmagent's %,.0f (bar: >= %.2f): %s",
                ingestRate,
                share,
                vmagentRate,
                MIN_SHARE_OF_VMAGENT,
                fast ? "ok" : "FAIL"));
        lines.add("- central-ingest non-2xx answers: " + non2xx + ": " + (clean ? "ok" : "FAIL"));
        StringBuilder stored = new StringBuilder(
                "- every accepted sample reached VictoriaMetrics (distinct stored / distinct accepted; rows received /"
                        + " all accepted):");
        for (ReceiverRun r : concat(ingest, vmagent)) {
            stored.append(' ')
                    .append(r.receiver())
                    .append(' ')
                    .append(r.stored())
                    .append('/')
                    .append(r.distinctAccepted())
                    .append("; ")
                    .append(r.storageRowsInserted())
                    .append('/')
                    .append(r.totalAccepted())
                    .append(',');
        }
        stored.setLength(stored.length() - 1);
        lines.add(stored.append(": ").append(delivered ? "ok" : "FAIL").toString());
        lines.add(fast && clean && delivered ? "PASS" : "FAIL");
        return lines;
    }

    private static List<ReceiverRun> concat(List<ReceiverRun> a, List<ReceiverRun> b) {
        List<ReceiverRun> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
