package dev.edgepush.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The buffer's cap on /metrics, which the EdgepushBufferNearCap alert divides by. */
class AgentMetricsDiskCapTest {
    @Test
    void rendersTheCapPerRemoteAndZeroWithout() {
        AgentMetrics single = new AgentMetrics(() -> 0L);
        assertTrue(single.render().contains("\nedge_agent_buffer_max_disk_bytes 0\n"), single.render());
        single.maxDiskBytes(500_000_000L);
        assertTrue(single.render().contains("\nedge_agent_buffer_max_disk_bytes 500000000\n"), single.render());

        AgentMetrics a = new AgentMetrics(() -> 0L, "1:a");
        a.maxDiskBytes(1024);
        AgentMetrics b = new AgentMetrics(() -> 0L, "2:b");
        String text = AgentMetrics.render(new AgentMetrics(() -> 0L), List.of(a, b));
        assertTrue(
                text.contains("edge_agent_buffer_max_disk_bytes{url=\"1:a\"} 1024\n"
                        + "edge_agent_buffer_max_disk_bytes{url=\"2:b\"} 0\n"),
                text);
    }
}
