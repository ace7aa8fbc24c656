package dev.edgepush.agent.host;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SelfProcessMetricsTest {
    @Test
    void clientLibraryNamesWithPlausibleValues() {
        StringBuilder sb = new StringBuilder();
        SelfProcessMetrics.render(sb);
        Map<String, Double> m = Exposition.parse(sb.toString());
        assertTrue(m.get("process_resident_memory_bytes{}") > 1 << 20, sb.toString());
        assertTrue(m.get("process_virtual_memory_bytes{}") >= m.get("process_resident_memory_bytes{}"), sb.toString());
        assertTrue(m.get("process_cpu_seconds_total{}") > 0, sb.toString());
        double start = m.get("process_start_time_seconds{}");
        double now = System.currentTimeMillis() / 1000.0;
        assertTrue(start <= now + 1 && start > now - 24 * 3600, "started within a day: " + start);
        assertTrue(m.get("process_open_fds{}") >= 3, sb.toString());
        assertTrue(m.get("process_max_fds{}") >= m.get("process_open_fds{}"), sb.toString());
    }
}
