package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.send.SendMetrics;
import org.junit.jupiter.api.Test;

/** The agent renders what the buffer and the sender (through {@link SendMetrics}) report under edge_agent_* names. */
class AgentMetricsTest {
    @Test
    void bufferCountsAndSenderReportsAreRenderedUnderTheAgentsNames() {
        AgentMetrics metrics = new AgentMetrics(() -> 5_000);
        metrics.bindBuffer(() -> 10, () -> 3, () -> 4096, () -> 2, () -> 0, () -> 7);
        SendMetrics send = metrics;
        send.request("204");
        send.request("error");
        send.requestBytes(123);
        send.samplesSent(5);
        send.samplesRejected(4);
        send.oldestPendingTimestampMs(3_000);
        String text = metrics.render();
        for (String line : new String[] {
            "edge_agent_samples_buffered_total 10\n",
            "edge_agent_samples_sent_total 5\n",
            "edge_agent_samples_dropped_total{reason=\"too_large\"} 7\n",
            "edge_agent_samples_dropped_total{reason=\"disk_full\"} 0\n",
            "edge_agent_samples_dropped_total{reason=\"corrupt\"} 2\n",
            "edge_agent_samples_dropped_total{reason=\"rejected\"} 4\n",
            "edge_agent_buffer_pending_samples 3\n",
            "edge_agent_buffer_disk_bytes 4096\n",
            "edge_agent_buffer_oldest_pending_age_seconds 2.0\n",
            "edge_agent_remote_write_requests_total{code=\"204\"} 1\n",
            "edge_agent_remote_write_requests_total{code=\"error\"} 1\n",
            "edge_agent_remote_write_bytes_total 123\n"
        }) {
            assertTrue(text.contains(line), "missing " + line + " in\n" + text);
        }
        assertTrue(send.rejectedCounter().startsWith("edge_agent_samples_dropped_total"), send.rejectedCounter());
    }
}
