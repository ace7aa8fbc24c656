package dev.edgepush.testbed.load;

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
     * The verdict lines, the last one {@code PASS} or {@code FAIL}: central-ingest at least half of
     * vmagent's samples/s, no non-2xx answer from central-ingest, and every accepted sample stored
     * (for both receivers).
     */
    /**
     * Issue 18's bar, reported (PASS/FAIL stays the first bar's: one run's ratios move by about 10 %
     * from run to run on a shared machine): central-ingest's samples/s over vmagent's, and vmagent's
     * receiver CPU seconds per million samples over central-ingest's, both at least 1.0.
     */
    static String parity(ReceiverRun ingest, ReceiverRun vmagent) {
        double rate = ingest.samplesPerSecond() / vmagent.samplesPerSecond();
        double ingestCpu = ingest.cpuPerMillion(ingest.loadCpuSeconds());
        double vmagentCpu = vmagent.cpuPerMillion(vmagent.loadCpuSeconds());
        double cpu = vmagentCpu / ingestCpu;
        return String.format(
                Locale.ROOT,
                "- next to vmagent: samples/s %.2f x vmagent's, CPU s per M samples %.3f vs %.3f (vmagent's / central-ingest's ="
                        + " %.2f); both at least 1.00: %s",
                rate,
                ingestCpu,
                vmagentCpu,
                cpu,
                rate >= 1.0 && cpu >= 1.0 ? "yes" : "no");
    }

    public static List<String> verdict(ReceiverRun ingest, ReceiverRun vmagent) {
        double share = ingest.samplesPerSecond() / vmagent.samplesPerSecond();
        boolean fast = share >= MIN_SHARE_OF_VMAGENT;
        boolean clean = ingest.non2xx() == 0;
        boolean delivered = ingest.delivered() && vmagent.delivered();
        return List.of(
                parity(ingest, vmagent),
                String.format(
                        Locale.ROOT,
                        "- throughput: central-ingest %,.0f samples/s = %.2f x vmagent's %,.0f (bar: >= %.2f): %s",
                        ingest.samplesPerSecond(),
                        share,
                        vmagent.samplesPerSecond(),
                        MIN_SHARE_OF_VMAGENT,
                        fast ? "ok" : "FAIL"),
                "- central-ingest non-2xx answers: " + ingest.non2xx() + " " + ingest.rejectedByCode() + ": "
                        + (clean ? "ok" : "FAIL"),
                "- every accepted sample reached VictoriaMetrics (distinct stored / distinct accepted; rows received /"
                        + " all accepted): central-ingest " + ingest.stored() + "/" + ingest.distinctAccepted() + "; "
                        + ingest.storageRowsInserted() + "/" + ingest.totalAccepted() + ", vmagent " + vmagent.stored()
                        + "/"
                        + vmagent.distinctAccepted() + "; " + vmagent.storageRowsInserted() + "/"
                        + vmagent.totalAccepted() + ": "
                        + (delivered ? "ok" : "FAIL"),
                fast && clean && delivered ? "PASS" : "FAIL");
    }
}
