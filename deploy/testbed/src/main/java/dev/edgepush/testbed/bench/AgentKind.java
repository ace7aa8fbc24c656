package dev.edgepush.testbed.bench;

import dev.edgepush.testsupport.Executables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What differs between the agents under test: how each is started and which of its own metrics
 * say what. The metric names are the ones each agent really serves (vmagent: Debian's 1.79.5);
 * a missing metric fails the run instead of reading as zero.
 */
enum AgentKind {
    /** Ours: {@code edge-agent/bin/edge-agent} from the repository, with its default JVM options. */
    EDGE_AGENT("edge-agent"),
    /** VictoriaMetrics' vmagent from the PATH. */
    VMAGENT("vmagent");

    final String agentName;

    AgentKind(String agentName) {
        this.agentName = agentName;
    }

    static AgentKind of(String name) {
        for (AgentKind k : values()) {
            if (k.agentName.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown agent " + name);
    }

    /** The agent's command line: the same vmagent flags for both. */
    List<String> command(Path repo, Path scrapeConfig, String writeUrl, Path tmpData, int port) {
        List<String> cmd = new ArrayList<>();
        if (this == EDGE_AGENT) {
            Path launcher = repo.resolve("edge-agent/bin/edge-agent");
            if (!Files.isExecutable(launcher)) {
                throw new IllegalStateException(
                        launcher + " not found or not executable; pass -repo=DIR" + " (the repository root)");
            }
            cmd.add(launcher.toString());
        } else {
            cmd.add(Executables.onPath("vmagent", "victoria-metrics"));
        }
        cmd.add("-promscrape.config=" + scrapeConfig);
        cmd.add("-remoteWrite.url=" + writeUrl);
        cmd.add("-remoteWrite.tmpDataPath=" + tmpData);
        cmd.add("-httpListenAddr=127.0.0.1:" + port);
        return cmd;
    }

    /**
     * Whether the agent reports the backlog of the outage gone.
     *
     * <p>edge-agent: nothing pending, or the oldest pending scrape is younger than the remote's
     * restart (the steady flow always has up to one flush interval pending, so "zero" alone could
     * take arbitrarily long to be observed). vmagent: no pending bytes in memory or in the persistent
     * queue, and every block its workers took was answered 2xx (a block being retried is in
     * neither pending figure).
     *
     * @param sinceRestartSeconds seconds since the remote answered its health check again
     */
    boolean drained(PromText m, double sinceRestartSeconds) {
        if (this == EDGE_AGENT) {
            double pending = m.sum("edge_agent_buffer_pending_samples");
            double age = m.sum("edge_agent_buffer_oldest_pending_age_seconds");
            return pending == 0 || age < sinceRestartSeconds;
        }
        return m.sum("vmagent_remotewrite_pending_data_bytes") == 0
                && m.sum("vm_persistentqueue_bytes_pending") == 0
                && m.sum("vmagent_remotewrite_blocks_sent_total")
                        == m.sum("vmagent_remotewrite_requests_total", "status_code", "2XX");
    }

    /** The backlog figures, for the log. */
    String backlog(PromText m) {
        if (this == EDGE_AGENT) {
            return "pending_samples=" + (long) m.sum("edge_agent_buffer_pending_samples") + " oldest_pending_age_s="
                    + m.sum("edge_agent_buffer_oldest_pending_age_seconds");
        }
        return "pending_data_bytes=" + (long) m.sum("vmagent_remotewrite_pending_data_bytes")
                + " persistentqueue_bytes_pending=" + (long) m.sum("vm_persistentqueue_bytes_pending")
                + " blocks_sent=" + (long) m.sum("vmagent_remotewrite_blocks_sent_total")
                + " requests_2xx=" + (long) m.sum("vmagent_remotewrite_requests_total", "status_code", "2XX");
    }

    /**
     * Samples the agent has taken into its remote-write path since start: edge-agent counts what it
     * wrote to its disk buffer (scraped + per-scrape series + staleness markers); vmagent counts rows
     * handed to the remote-write queue after relabelling (scraped + its per-scrape series).
     */
    double samplesBuffered(PromText m) {
        return this == EDGE_AGENT
                ? m.sum("edge_agent_samples_buffered_total")
                : m.sum("vmagent_remotewrite_rows_pushed_after_relabel_total");
    }

    /** Remote-write requests answered 2xx since start. */
    double successfulPushes(PromText m) {
        String name =
                this == EDGE_AGENT ? "edge_agent_remote_write_requests_total" : "vmagent_remotewrite_requests_total";
        String label = this == EDGE_AGENT ? "code" : "status_code";
        return m.samples().stream()
                .filter(s -> s.name().equals(name)
                        && s.labels().getOrDefault(label, "").startsWith("2"))
                .mapToDouble(PromText.Sample::value)
                .sum();
    }

    /** Compressed bytes handed to the remote since start. */
    double wireBytes(PromText m) {
        return this == EDGE_AGENT
                ? m.sum("edge_agent_remote_write_bytes_total")
                : m.sum("vmagent_remotewrite_bytes_sent_total");
    }

    /** Samples in those bytes. */
    double wireSamples(PromText m) {
        return this == EDGE_AGENT
                ? m.sum("edge_agent_samples_sent_total")
                : m.sum("vmagent_remotewrite_block_size_rows_sum");
    }
}
