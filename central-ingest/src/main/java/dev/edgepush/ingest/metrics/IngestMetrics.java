package dev.edgepush.ingest.metrics;

import dev.edgepush.ingest.completeness.CompletenessLedger;
import dev.edgepush.ingest.fleet.FleetRegistry.OutOfRange;
import dev.edgepush.ingest.fleet.FleetRegistry.RobotStatus;
import dev.edgepush.net.http.ClosedConnections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The ingest's own metrics on {@code GET /metrics}, Prometheus text. Counters are cumulative
 * since start; gauges are read from their owners when rendered. Thread-safe.
 */
public final class IngestMetrics {
    /** Samples (and native histogram samples) written to the WAL and acknowledged with 204. */
    public final LongAdder samplesReceived = new LongAdder();
    /** Connections the HTTP server closed to protect itself (timeouts, caps, bad framing). */
    public final ClosedConnections httpClosed = new ClosedConnections("central-ingest");
    /** Float samples whose timestamps were shifted for their robot's clock ({@code -fleet.correctClockSkewAbove}). */
    public final LongAdder samplesClockCorrected = new LongAdder();

    private final LongAdder samplesTooOld = new LongAdder();
    private final LongAdder samplesTooNew = new LongAdder();
    private volatile Supplier<List<OutOfRange>> outOfRange = List::of;
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> bodiesByEncoding = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> bodyBytesByEncoding = new ConcurrentHashMap<>();
    private volatile LongSupplier forwarded = () -> 0;
    private volatile LongSupplier pending = () -> 0;
    private volatile LongSupplier diskBytes = () -> 0;
    private volatile LongSupplier robotsOnline = () -> 0;
    private volatile ToLongFunction<String> dropped = r -> 0;
    private volatile String onlineWindow = "2m";
    private volatile LongSupplier walCorruptExcerpts = () -> 0;
    private volatile LongSupplier walCorruptFiles = () -> 0;
    private volatile Supplier<List<RobotStatus>> robots = List::of;
    private volatile Supplier<List<CompletenessLedger.Summary>> completeness = List::of;
    private volatile long walMaxDiskBytes; // the WAL's whole cap, 0 = none
    /** notAfter (Unix ms) of the serving certificate in use; null when -tls is off. */
    private volatile LongSupplier tlsCertificateNotAfterMs;
    /** Earliest notAfter (Unix ms) of the -mtlsCAFile certificates in use; -1 when there is none. */
    private volatile LongSupplier tlsClientCaNotAfterMs = () -> -1;

    /** Wires the gauges and counters other parts own. */
    public void bind(
            LongSupplier forwarded,
            LongSupplier pending,
            LongSupplier diskBytes,
            LongSupplier robotsOnline,
            ToLongFunction<String> dropped) {
        this.forwarded = forwarded;
        this.pending = pending;
        this.diskBytes = diskBytes;
        this.robotsOnline = robotsOnline;
        this.dropped = dropped;
    }

    /** Wires the WAL's damage counts that are not in samples. */
    public void bindWalDamage(LongSupplier excerpts, LongSupplier files) {
        this.walCorruptExcerpts = excerpts;
        this.walCorruptFiles = files;
    }

    /** The WAL's disk cap over every destination ({@code -wal.maxDiskBytes} times destinations; 0 = none). */
    public void walMaxDiskBytes(long bytes) {
        this.walMaxDiskBytes = Math.max(0, bytes);
    }

    /** Every robot's latest push, rendered per robot (the cloud's view, for offline and clock-skew alerts). */
    public void bindRobots(Supplier<List<RobotStatus>> robots) {
        this.robots = robots;
    }

    /** Every accounted robot's completeness ({@link CompletenessLedger}), rendered per robot. */
    public void bindCompleteness(Supplier<List<CompletenessLedger.Summary>> completeness) {
        this.completeness = completeness;
    }

    /** Every robot's samples out of the storage's range, rendered per robot. */
    public void bindOutOfRange(Supplier<List<OutOfRange>> outOfRange) {
        this.outOfRange = outOfRange;
    }

    /** Counts acknowledged samples the storage would refuse: older than its retention, too far ahead. */
    public void samplesOutOfRange(long tooOld, long tooNew) {
        samplesTooOld.add(tooOld);
        samplesTooNew.add(tooNew);
    }

    /**
     * Wires {@code -tls}'s certificates: the serving (leaf) certificate's notAfter and the earliest
     * of {@code -mtlsCAFile}'s (-1 without it), Unix ms, read at each render so that a reload shows.
     */
    public void bindTls(LongSupplier certificateNotAfterMs, LongSupplier clientCaNotAfterMs) {
        this.tlsClientCaNotAfterMs = clientCaNotAfterMs;
        this.tlsCertificateNotAfterMs = certificateNotAfterMs;
    }

    /** How {@code central_ingest_robots_online}'s help names its window, e.g. {@code 2m}. */
    public void onlineWindow(String flagValue) {
        this.onlineWindow = flagValue;
    }

    public void request(int code) {
        requests.computeIfAbsent(Integer.toString(code), c -> new LongAdder()).increment();
    }

    /** A write body of {@code wireBytes} bytes as received, decompressed within the limit from {@code encoding}. */
    public void bodyDecoded(String encoding, long wireBytes) {
        bodiesByEncoding.computeIfAbsent(encoding, e -> new LongAdder()).increment();
        bodyBytesByEncoding.computeIfAbsent(encoding, e -> new LongAdder()).add(wireBytes);
    }

    /** Write bodies decompressed from {@code encoding} so far. */
    public long bodiesDecoded(String encoding) {
        LongAdder a = bodiesByEncoding.get(encoding);
        return a == null ? 0 : a.sum();
    }

    public long requests(int code) {
        LongAdder a = requests.get(Integer.toString(code));
        return a == null ? 0 : a.sum();
    }

    public String render() {
        StringBuilder sb = new StringBuilder(2048);
        header(sb, "central_ingest_requests_total", "HTTP requests answered, by status code.", "counter");
        new TreeMap<>(requests)
                .forEach((k, v) -> sb.append("central_ingest_requests_total{code=\"")
                        .append(k)
                        .append("\"} ")
                        .append(v.sum())
                        .append('\n'));
        header(
                sb,
                "central_ingest_write_requests_by_encoding_total",
                "Write request bodies (remote write, text import)"
                        + " decompressed within -maxDecompressedBytes, by Content-Encoding: snappy, zstd, gzip, identity.",
                "counter");
        for (String enc : encodings()) {
            sb.append("central_ingest_write_requests_by_encoding_total{encoding=\"")
                    .append(enc)
                    .append("\"} ")
                    .append(bodiesDecoded(enc))
                    .append('\n');
        }
        header(
                sb,
                "central_ingest_write_request_bytes_total",
                "Bytes of those bodies as received (compressed), by" + " Content-Encoding.",
                "counter");
        for (String enc : encodings()) {
            LongAdder a = bodyBytesByEncoding.get(enc);
            sb.append("central_ingest_write_request_bytes_total{encoding=\"")
                    .append(enc)
                    .append("\"} ")
                    .append(a == null ? 0 : a.sum())
                    .append('\n');
        }
        line(
                sb,
                "central_ingest_samples_received_total",
                "Samples written to the WAL and acknowledged (204).",
                "counter",
                samplesReceived.sum());
        line(
                sb,
                "central_ingest_samples_forwarded_total",
                "Samples VictoriaMetrics answered 2xx for.",
                "counter",
                forwarded.getAsLong());
        header(
                sb,
                "central_ingest_samples_dropped_total",
                "Acknowledged samples given up on: rejected (a 4xx from VictoriaMetrics), disk_full (-wal.maxDiskBytes), corrupt (a damaged WAL excerpt), too_large (a single series too large for a WAL excerpt).",
                "counter");
        for (String reason : new String[] {"corrupt", "disk_full", "rejected", "too_large"}) {
            sb.append("central_ingest_samples_dropped_total{reason=\"")
                    .append(reason)
                    .append("\"} ")
                    .append(dropped.applyAsLong(reason))
                    .append('\n');
        }
        String outOfRangeHelp =
                "Acknowledged samples the storage would refuse, counted and forwarded: too_old (older than"
                        + " -retentionPeriod) or too_new (over 2 days ahead of this server's clock), after any clock correction.";
        header(sb, "central_ingest_samples_out_of_range_total", outOfRangeHelp, "counter");
        sb.append("central_ingest_samples_out_of_range_total{reason=\"too_new\"} ")
                .append(samplesTooNew.sum())
                .append('\n');
        sb.append("central_ingest_samples_out_of_range_total{reason=\"too_old\"} ")
                .append(samplesTooOld.sum())
                .append('\n');
        line(
                sb,
                "central_ingest_samples_clock_corrected_total",
                "Samples whose timestamps were shifted by their robot's"
                        + " clock offset (-fleet.correctClockSkewAbove).",
                "counter",
                samplesClockCorrected.sum());
        line(
                sb,
                "central_ingest_wal_pending_samples",
                "Samples in the WAL not yet forwarded.",
                "gauge",
                pending.getAsLong());
        line(
                sb,
                "central_ingest_wal_corrupt_excerpts_total",
                "Unsent WAL excerpts lost to damage whose sample count could not be read (not in samples_dropped_total{reason=\"corrupt\"}).",
                "counter",
                walCorruptExcerpts.getAsLong());
        line(
                sb,
                "central_ingest_wal_corrupt_files_total",
                "WAL files found damaged at start (moved aside, salvaged or read up to the damage).",
                "counter",
                walCorruptFiles.getAsLong());
        line(
                sb,
                "central_ingest_wal_disk_bytes",
                "Disk blocks the WAL allocated (as du reports).",
                "gauge",
                diskBytes.getAsLong());
        line(
                sb,
                "central_ingest_wal_max_disk_bytes",
                "The WAL's disk cap: -wal.maxDiskBytes times the destinations (0 = no cap).",
                "gauge",
                walMaxDiskBytes);
        line(
                sb,
                "central_ingest_robots_online",
                "Robots that pushed within -fleet.offlineAfter=" + onlineWindow
                        + " (the online ones of GET /api/v1/fleet, all tenants).",
                "gauge",
                robotsOnline.getAsLong());
        RobotExposition.render(sb, robots.get(), outOfRange.get(), completeness.get());
        LongSupplier cert = tlsCertificateNotAfterMs;
        if (cert != null) {
            String name = "central_ingest_tls_certificate_expiry_timestamp_seconds";
            header(
                    sb,
                    name,
                    "When the TLS certificate in use expires (notAfter, Unix seconds): certificate=\"serving\" is -tlsCertFile's first (leaf) certificate, certificate=\"client_ca\" the earliest of -mtlsCAFile's; follows reloads of the files.",
                    "gauge");
            sb.append(name)
                    .append("{certificate=\"serving\"} ")
                    .append(cert.getAsLong() / 1000)
                    .append('\n');
            long ca = tlsClientCaNotAfterMs.getAsLong();
            if (ca >= 0) {
                sb.append(name)
                        .append("{certificate=\"client_ca\"} ")
                        .append(ca / 1000)
                        .append('\n');
            }
        }
        httpClosed.render(sb, "central_ingest");
        return sb.toString();
    }

    /** snappy and zstd always (the remote-write encodings), then any other seen, sorted. */
    private java.util.SortedSet<String> encodings() {
        java.util.SortedSet<String> e = new java.util.TreeSet<>(List.of("snappy", "zstd"));
        e.addAll(bodiesByEncoding.keySet());
        return e;
    }

    static void header(StringBuilder sb, String name, String help, String type) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void line(StringBuilder sb, String name, String help, String type, long v) {
        header(sb, name, help, type);
        sb.append(name).append(' ').append(v).append('\n');
    }
}
