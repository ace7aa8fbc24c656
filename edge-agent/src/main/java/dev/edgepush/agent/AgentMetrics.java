package dev.edgepush.agent;

import dev.edgepush.agent.scrape.ScrapeCounters;
import dev.edgepush.forward.send.SendMetrics;
import dev.edgepush.net.http.ClosedConnections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The agent's own metrics, rendered on {@code /metrics} in Prometheus text format. Counters are
 * cumulative since start; gauges are read from their owners when rendered. Thread-safe.
 */
public final class AgentMetrics implements SendMetrics, ScrapeCounters {
    public final LongAdder samplesScraped = new LongAdder();
    public final LongAdder scrapeConnectionsOpened = new LongAdder();
    public final LongAdder samplesSent = new LongAdder();
    public final LongAdder remoteWriteBytes = new LongAdder();
    private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private volatile LongSupplier bufferedTotal = () -> 0;
    private volatile LongSupplier pendingSamples = () -> 0;
    private volatile LongSupplier diskBytes = () -> 0;
    private volatile LongSupplier corruptSamples = () -> 0;
    private volatile LongSupplier diskFullSamples = () -> 0;
    private volatile LongSupplier tooLargeSamples = () -> 0;
    private volatile LongSupplier corruptExcerpts = () -> 0;
    private volatile LongSupplier corruptFiles = () -> 0;
    private final AtomicLong oldestPendingMs = new AtomicLong();
    private volatile java.util.function.Supplier<String> protocol; // of a remote's sender, or null
    private volatile java.util.function.Supplier<String> compression; // of a remote's sender, or null
    private volatile long maxDiskBytes; // -remoteWrite.maxDiskUsagePerURL, 0 = no cap
    private final LongSupplier clockMs;
    private final String urlLabel; // the url label of a per-remote instance, or null
    private final Map<String, LongAdder> localPushRequests = new ConcurrentHashMap<>();
    private final LongAdder localPushSamples = new LongAdder();
    /** notAfter (Unix ms) of the listener's certificate in use ({@code -tls}); null when -tls is off. */
    private volatile LongSupplier listenerCertificateNotAfterMs;
    /** Connections the listener on -httpListenAddr closed to protect itself (timeouts, caps, bad framing). */
    public final ClosedConnections httpClosed = new ClosedConnections("edge-agent");

    public AgentMetrics(LongSupplier clockMs) {
        this(clockMs, null);
    }

    /** {@code urlLabel}: the {@code url} label of one remote's metrics (see {@link RemoteSpec#label}), or null. */
    public AgentMetrics(LongSupplier clockMs, String urlLabel) {
        this.clockMs = clockMs;
        this.urlLabel = urlLabel;
        for (String reason : new String[] {"rejected", "disk_full"}) {
            dropped.put(reason, new LongAdder());
        }
    }

    /** Wires the gauges that the disk buffer owns. */
    public void bindBuffer(
            LongSupplier bufferedTotal,
            LongSupplier pending,
            LongSupplier diskBytes,
            LongSupplier corrupt,
            LongSupplier diskFull,
            LongSupplier tooLarge) {
        this.diskFullSamples = diskFull;
        this.tooLargeSamples = tooLarge;
        this.bufferedTotal = bufferedTotal;
        this.pendingSamples = pending;
        this.diskBytes = diskBytes;
        this.corruptSamples = corrupt;
    }

    /** The buffer's disk cap ({@code -remoteWrite.maxDiskUsagePerURL}; 0 = none), for alerts on a buffer near it. */
    public void maxDiskBytes(long bytes) {
        this.maxDiskBytes = Math.max(0, bytes);
    }

    /** Wires the listener's {@code -tls} certificate: its notAfter, Unix ms, read at each render (it follows reloads). */
    public void bindListenerTls(LongSupplier certificateNotAfterMs) {
        this.listenerCertificateNotAfterMs = certificateNotAfterMs;
    }

    /** Wires the remote-write protocol the remote is sent now ("1.0" or "2.0"). */
    public void bindProtocol(java.util.function.Supplier<String> protocol) {
        this.protocol = protocol;
    }

    /** Wires the request compression the remote is sent now ("snappy" or "zstd"). */
    public void bindCompression(java.util.function.Supplier<String> compression) {
        this.compression = compression;
    }

    /** The request compression the remote is sent now, or null when none is bound. */
    public String compression() {
        java.util.function.Supplier<String> c = compression;
        return c == null ? null : c.get();
    }

    /** The remote-write protocol the remote is sent now, or null when none is bound. */
    public String protocol() {
        java.util.function.Supplier<String> p = protocol;
        return p == null ? null : p.get();
    }

    /** Wires the buffer's damage counts that are not in samples (see DiskBuffer#corruptExcerptsTotal). */
    public void bindBufferDamage(LongSupplier excerpts, LongSupplier files) {
        this.corruptExcerpts = excerpts;
        this.corruptFiles = files;
    }

    @Override
    public void addSamplesScraped(long samples) {
        samplesScraped.add(samples);
    }

    @Override
    public void dropped(String reason, long samples) {
        dropped.computeIfAbsent(reason, r -> new LongAdder()).add(samples);
    }

    /** Samples given up on for every reason together (what the agent reports to central-ingest). */
    public long droppedTotal() {
        long sum = 0;
        for (String reason : DROP_REASONS) {
            sum += droppedTotal(reason);
        }
        for (String reason : dropped.keySet()) {
            if (!DROP_REASONS.contains(reason)) {
                sum += droppedTotal(reason);
            }
        }
        return sum;
    }

    private static final java.util.List<String> DROP_REASONS =
            java.util.List.of("rejected", "disk_full", "corrupt", "too_large");

    public long droppedTotal(String reason) {
        if ("corrupt".equals(reason)) {
            return corruptSamples.getAsLong();
        }
        if ("too_large".equals(reason)) {
            return tooLargeSamples.getAsLong();
        }
        LongAdder a = dropped.get(reason);
        long extra = "disk_full".equals(reason) ? diskFullSamples.getAsLong() : 0;
        return (a == null ? 0 : a.sum()) + extra;
    }

    @Override
    public void request(String code) {
        requests.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    public long requests(String code) {
        LongAdder a = requests.get(code);
        return a == null ? 0 : a.sum();
    }

    @Override
    public void requestBytes(long bytes) {
        remoteWriteBytes.add(bytes);
    }

    @Override
    public void samplesSent(long samples) {
        samplesSent.add(samples);
    }

    @Override
    public void samplesRejected(long samples) {
        dropped("rejected", samples);
    }

    @Override
    public String rejectedCounter() {
        return "edge_agent_samples_dropped_total{reason=\"rejected\"}";
    }

    /** The scrape time of the oldest unsent excerpt, or 0 when nothing is pending. */
    @Override
    public void oldestPendingTimestampMs(long ms) {
        oldestPendingMs.set(ms);
    }

    public long pendingSamples() {
        return pendingSamples.getAsLong();
    }

    public double oldestPendingAgeSeconds() {
        long ts = oldestPendingMs.get();
        if (ts <= 0 || pendingSamples.getAsLong() == 0) {
            return 0;
        }
        return Math.max(0, clockMs.getAsLong() - ts) / 1000.0;
    }

    public long diskBytes() {
        return diskBytes.getAsLong();
    }

    /** Prometheus text exposition 0.0.4 of every metric above. */
    public String render() {
        return render(this, List.of(this));
    }

    /**
     * The exposition of an agent with several remotes: {@code scrapeSide} holds what is not per
     * remote (samples scraped, local pushes); each of {@code perRemote} holds one remote's buffer
     * and sender metrics, rendered with its {@code url} label (none when it has no label: a single
     * remote renders exactly as before issue 6).
     */
    public static String render(AgentMetrics scrapeSide, List<AgentMetrics> perRemote) {
        StringBuilder sb = new StringBuilder(2048);
        counter(
                sb,
                "edge_agent_samples_scraped_total",
                "Samples parsed from targets, including the synthetic per-scrape series.",
                scrapeSide.samplesScraped.sum());
        counter(
                sb,
                "edge_agent_scrape_connections_opened_total",
                "Connections to scrape targets established; with keep-alive about one per target, plus one after each failed or closed connection.",
                scrapeSide.scrapeConnectionsOpened.sum());
        family(
                sb,
                perRemote,
                "edge_agent_samples_buffered_total",
                "Samples written to the disk buffer since start.",
                "counter",
                m -> m.bufferedTotal.getAsLong());
        family(
                sb,
                perRemote,
                "edge_agent_samples_sent_total",
                "Samples the remote answered 2xx for.",
                "counter",
                m -> m.samplesSent.sum());
        header(
                sb,
                "edge_agent_samples_dropped_total",
                "Samples given up on, by reason: rejected (a 4xx that can never succeed), disk_full (the disk cap or a full disk), corrupt (a damaged buffer excerpt), too_large (a single series too large for the buffer).",
                "counter");
        for (AgentMetrics m : perRemote) {
            Map<String, Long> drops = new TreeMap<>();
            m.dropped.forEach((k, v) -> drops.put(k, m.droppedTotal(k)));
            drops.put("corrupt", m.corruptSamples.getAsLong());
            drops.put("too_large", m.tooLargeSamples.getAsLong());
            drops.forEach((k, v) -> sb.append("edge_agent_samples_dropped_total{")
                    .append(m.urlPrefix())
                    .append("reason=\"")
                    .append(k)
                    .append("\"} ")
                    .append(v)
                    .append('\n'));
        }
        family(
                sb,
                perRemote,
                "edge_agent_buffer_pending_samples",
                "Samples in the disk buffer not yet acknowledged by the remote.",
                "gauge",
                m -> m.pendingSamples.getAsLong());
        family(
                sb,
                perRemote,
                "edge_agent_buffer_corrupt_excerpts_total",
                "Unsent buffer excerpts lost to damage whose sample count could not be read (not in samples_dropped_total{reason=\"corrupt\"}).",
                "counter",
                m -> m.corruptExcerpts.getAsLong());
        family(
                sb,
                perRemote,
                "edge_agent_buffer_corrupt_files_total",
                "Buffer files found damaged at start (moved aside, salvaged or read up to the damage).",
                "counter",
                m -> m.corruptFiles.getAsLong());
        family(
                sb,
                perRemote,
                "edge_agent_buffer_disk_bytes",
                "Disk blocks allocated by the buffer (as du reports, not the sparse apparent size).",
                "gauge",
                m -> m.diskBytes.getAsLong());
        family(
                sb,
                perRemote,
                "edge_agent_buffer_max_disk_bytes",
                "The buffer's disk cap, -remoteWrite.maxDiskUsagePerURL (0 = no cap).",
                "gauge",
                m -> m.maxDiskBytes);
        header(sb, "edge_agent_buffer_oldest_pending_age_seconds", "Age of the oldest unsent scrape.", "gauge");
        for (AgentMetrics m : perRemote) {
            sb.append("edge_agent_buffer_oldest_pending_age_seconds")
                    .append(m.urlBraces())
                    .append(' ')
                    .append(m.oldestPendingAgeSeconds())
                    .append('\n');
        }
        header(
                sb,
                "edge_agent_remote_write_requests_total",
                "Remote-write requests by HTTP status code; code=\"error\" for network errors.",
                "counter");
        for (AgentMetrics m : perRemote) {
            new TreeMap<>(m.requests)
                    .forEach((k, v) -> sb.append("edge_agent_remote_write_requests_total{")
                            .append(m.urlPrefix())
                            .append("code=\"")
                            .append(k)
                            .append("\"} ")
                            .append(v.sum())
                            .append('\n'));
        }
        if (perRemote.stream().anyMatch(m -> m.protocol != null)) {
            header(
                    sb,
                    "edge_agent_remote_write_protocol",
                    "The remote-write protocol each URL is sent now (1 for it, 0 for the other); -remoteWrite.protocol=auto switches to 1.0 for a receiver that does not take 2.0.",
                    "gauge");
            for (AgentMetrics m : perRemote) {
                String now = m.protocol();
                if (now != null) {
                    for (String p : new String[] {"1.0", "2.0"}) {
                        sb.append("edge_agent_remote_write_protocol{")
                                .append(m.urlPrefix())
                                .append("protocol=\"")
                                .append(p)
                                .append("\"} ")
                                .append(p.equals(now) ? 1 : 0)
                                .append('\n');
                    }
                }
            }
        }
        if (perRemote.stream().anyMatch(m -> m.compression != null)) {
            header(
                    sb,
                    "edge_agent_remote_write_compression",
                    "The Content-Encoding each URL is sent now (1 for it, 0 for the other); -remoteWrite.compression=auto switches to zstd once the remote's answer lists it.",
                    "gauge");
            for (AgentMetrics m : perRemote) {
                String now = m.compression();
                if (now != null) {
                    for (String c : new String[] {"snappy", "zstd"}) {
                        sb.append("edge_agent_remote_write_compression{")
                                .append(m.urlPrefix())
                                .append("encoding=\"")
                                .append(c)
                                .append("\"} ")
                                .append(c.equals(now) ? 1 : 0)
                                .append('\n');
                    }
                }
            }
        }
        family(
                sb,
                perRemote,
                "edge_agent_remote_write_bytes_total",
                "Compressed remote-write bytes sent on the wire.",
                "counter",
                m -> m.remoteWriteBytes.sum());
        if (!scrapeSide.localPushRequests.isEmpty()) {
            header(
                    sb,
                    "edge_agent_local_push_requests_total",
                    "Local pushes (/api/v1/write, /api/v1/import/prometheus) by path and answer.",
                    "counter");
            new TreeMap<>(scrapeSide.localPushRequests).forEach((k, v) -> {
                int sp = k.indexOf(' ');
                sb.append("edge_agent_local_push_requests_total{path=\"")
                        .append(k, 0, sp)
                        .append("\",code=\"")
                        .append(k.substring(sp + 1))
                        .append("\"} ")
                        .append(v.sum())
                        .append('\n');
            });
            counter(
                    sb,
                    "edge_agent_local_push_samples_total",
                    "Samples accepted from local pushes (before relabeling).",
                    scrapeSide.localPushSamples.sum());
        }
        LongSupplier cert = scrapeSide.listenerCertificateNotAfterMs;
        if (cert != null) {
            gauge(
                    sb,
                    "edge_agent_tls_certificate_expiry_timestamp_seconds",
                    "When the -tls certificate of the listener on -httpListenAddr expires (notAfter of -tlsCertFile's first certificate, Unix seconds); follows reloads of the files.",
                    cert.getAsLong() / 1000);
        }
        scrapeSide.httpClosed.render(sb, "edge_agent");
        dev.edgepush.agent.host.SelfProcessMetrics.render(sb); // process_* as client libraries name them (issue 14)
        return sb.toString();
    }

    /** Counts one local push answered with {@code code}. */
    public void localPush(String path, int code, long samples) {
        localPushRequests
                .computeIfAbsent(path + " " + code, c -> new LongAdder())
                .increment();
        localPushSamples.add(samples);
    }

    public long localPushRequests(String path, int code) {
        LongAdder a = localPushRequests.get(path + " " + code);
        return a == null ? 0 : a.sum();
    }

    private String urlPrefix() {
        return urlLabel == null ? "" : "url=\"" + escape(urlLabel) + "\",";
    }

    private String urlBraces() {
        return urlLabel == null ? "" : "{url=\"" + escape(urlLabel) + "\"}";
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void family(
            StringBuilder sb,
            List<AgentMetrics> perRemote,
            String name,
            String help,
            String type,
            java.util.function.ToLongFunction<AgentMetrics> value) {
        header(sb, name, help, type);
        for (AgentMetrics m : perRemote) {
            sb.append(name)
                    .append(m.urlBraces())
                    .append(' ')
                    .append(value.applyAsLong(m))
                    .append('\n');
        }
    }

    private static void header(StringBuilder sb, String name, String help, String type) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder sb, String name, String help, long v) {
        header(sb, name, help, "counter");
        sb.append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, long v) {
        header(sb, name, help, "gauge");
        sb.append(name).append(' ').append(v).append('\n');
    }
}
