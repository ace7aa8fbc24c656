package dev.edgepush.agent;

import dev.edgepush.agent.scrape.ScrapeCounters;
import dev.edgepush.forward.send.SendMetrics;
import dev.edgepush.net.http.ClosedConnections;
import java.util.List;
import java.util.Map;
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
    final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
    final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    volatile LongSupplier bufferedTotal = () -> 0;
    volatile LongSupplier pendingSamples = () -> 0;
    volatile LongSupplier diskBytes = () -> 0;
    volatile LongSupplier corruptSamples = () -> 0;
    private volatile LongSupplier diskFullSamples = () -> 0;
    volatile LongSupplier tooLargeSamples = () -> 0;
    volatile LongSupplier corruptExcerpts = () -> 0;
    volatile LongSupplier corruptFiles = () -> 0;
    private final AtomicLong oldestPendingMs = new AtomicLong();
    volatile java.util.function.Supplier<String> protocol; // of a remote's sender, or null
    volatile java.util.function.Supplier<String> compression; // of a remote's sender, or null
    volatile long maxDiskBytes; // -remoteWrite.maxDiskUsagePerURL, 0 = no cap
    private final LongSupplier clockMs;
    private final String urlLabel; // the url label of a per-remote instance, or null
    final Map<String, LongAdder> localPushRequests = new ConcurrentHashMap<>();
    final LongAdder localPushSamples = new LongAdder();
    /** notAfter (Unix ms) of the listener's certificate in use ({@code -tls}); null when -tls is off. */
    volatile LongSupplier listenerCertificateNotAfterMs;
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
        return AgentExposition.render(scrapeSide, perRemote);
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

    String urlPrefix() {
        return urlLabel == null ? "" : "url=\"" + escape(urlLabel) + "\",";
    }

    String urlBraces() {
        return urlLabel == null ? "" : "{url=\"" + escape(urlLabel) + "\"}";
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
