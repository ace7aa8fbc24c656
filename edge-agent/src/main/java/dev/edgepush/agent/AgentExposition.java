package dev.edgepush.agent;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/** The Prometheus text exposition (0.0.4) of {@link AgentMetrics}: one agent, one or several remotes. */
final class AgentExposition {
    private AgentExposition() {}

    /** See {@link AgentMetrics#render(AgentMetrics, List)}. */
    static String render(AgentMetrics scrapeSide, List<AgentMetrics> perRemote) {
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
        choice(
                sb,
                perRemote,
                "edge_agent_remote_write_protocol",
                "The remote-write protocol each URL is sent now (1 for it, 0 for the other); -remoteWrite.protocol=auto switches to 1.0 for a receiver that does not take 2.0.",
                "protocol",
                new String[] {"1.0", "2.0"},
                m -> m.protocol);
        choice(
                sb,
                perRemote,
                "edge_agent_remote_write_compression",
                "The Content-Encoding each URL is sent now (1 for it, 0 for the other); -remoteWrite.compression=auto switches to zstd once the remote's answer lists it.",
                "encoding",
                new String[] {"snappy", "zstd"},
                m -> m.compression);
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

    /**
     * A gauge of which of {@code options} each remote is sent now (1 for it, 0 for the others), by
     * {@code label}; left out when no remote has {@code bound} wired.
     */
    private static void choice(
            StringBuilder sb,
            List<AgentMetrics> perRemote,
            String name,
            String help,
            String label,
            String[] options,
            Function<AgentMetrics, Supplier<String>> bound) {
        if (perRemote.stream().noneMatch(m -> bound.apply(m) != null)) {
            return;
        }
        header(sb, name, help, "gauge");
        for (AgentMetrics m : perRemote) {
            Supplier<String> s = bound.apply(m);
            String now = s == null ? null : s.get();
            if (now != null) {
                for (String o : options) {
                    sb.append(name)
                            .append('{')
                            .append(m.urlPrefix())
                            .append(label)
                            .append("=\"")
                            .append(o)
                            .append("\"} ")
                            .append(o.equals(now) ? 1 : 0)
                            .append('\n');
                }
            }
        }
    }

    private static void family(
            StringBuilder sb,
            List<AgentMetrics> perRemote,
            String name,
            String help,
            String type,
            ToLongFunction<AgentMetrics> value) {
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
