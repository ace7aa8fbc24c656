package dev.edgepush.testbed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromTextTest {
    /** Lines as Debian's vmagent 1.79.5 and edge-agent serve them. */
    private static final String PAGE = """
      # HELP edge_agent_buffer_pending_samples Samples in the disk buffer not yet acknowledged.
      # TYPE edge_agent_buffer_pending_samples gauge
      edge_agent_buffer_pending_samples 10450
      edge_agent_buffer_oldest_pending_age_seconds 0.981
      vm_persistentqueue_bytes_pending{path="/tmp/a/persistent-queue/1_FD10"} 1102807
      vmagent_remotewrite_requests_total{url="1:secret-url", status_code="2XX"} 62
      vmagent_remotewrite_requests_total{url="1:secret-url", status_code="5XX"} 3
      vmagent_remotewrite_bytes_sent_total{url="1:secret-url"} 48179
      vmagent_remotewrite_bytes_sent_total{url="2:secret-url"} 21
      odd{msg="a \\"quoted\\", comma} and brace"} 7 1712000000000
      special{k="v"} +Inf
      """;

    @Test
    void sumsAMetricOverAllItsLabelSets() {
        PromText m = PromText.parse(PAGE);
        assertEquals(48200, m.sum("vmagent_remotewrite_bytes_sent_total"));
        assertEquals(10450, m.sum("edge_agent_buffer_pending_samples"));
        assertEquals(0.981, m.sum("edge_agent_buffer_oldest_pending_age_seconds"));
    }

    @Test
    void restrictsTheSumToOneLabelValue() {
        PromText m = PromText.parse(PAGE);
        assertEquals(62, m.sum("vmagent_remotewrite_requests_total", "status_code", "2XX"));
        assertEquals(65, m.sum("vmagent_remotewrite_requests_total"));
    }

    @Test
    void readsQuotedLabelValuesWithEscapesAndIgnoresTimestamps() {
        PromText.Sample s = PromText.parseLine("odd{msg=\"a \\\"quoted\\\", comma} and brace\"} 7 1712000000000");
        assertEquals("odd", s.name());
        assertEquals(Map.of("msg", "a \"quoted\", comma} and brace"), s.labels());
        assertEquals(7, s.value());
        assertEquals(Double.POSITIVE_INFINITY, PromText.parse(PAGE).sum("special"));
    }

    @Test
    void skipsCommentsBlankAndUnreadableLines() {
        assertNull(PromText.parseLine("# TYPE x gauge"));
        assertNull(PromText.parseLine(""));
        assertNull(PromText.parseLine("broken{a=\"x} 1"));
        assertNull(PromText.parseLine("nonumber abc"));
        assertEquals(1, PromText.parse("x 1\n\n# c\n").samples().size());
    }

    @Test
    void aMissingMetricFailsNamingItInsteadOfReadingAsZero() {
        PromText m = PromText.parse(PAGE);
        assertFalse(m.has("vmagent_remotewrite_pending_data_bytes"));
        assertTrue(m.has("vm_persistentqueue_bytes_pending"));
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> m.sum("vmagent_remotewrite_requests_total", "status_code", "4XX"));
        assertEquals(
                "metric vmagent_remotewrite_requests_total{status_code=\"4XX\"} not found on /metrics", e.getMessage());
    }
}
