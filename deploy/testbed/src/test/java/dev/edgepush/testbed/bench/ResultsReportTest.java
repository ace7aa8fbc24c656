package dev.edgepush.testbed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultsReportTest {
    private static final AgentResult EDGE =
            new AgentResult("edge-agent", 80, 90, 1.2, 1.8, 2.0, 3.0, 600, 0, 100_000, 3_000_000, 13.2);
    private static final AgentResult VM =
            new AgentResult("vmagent", 32, 33, 1.0, 1.1, 5.0, 6.0, 620, 0, 100_000, 1_000_000, 13.1);

    @Test
    void rendersOneRowPerMetricWithRatiosAndVerdicts() {
        String md = new ResultsReport(List.of(EDGE, VM), "bench-agents -steady=30s").markdown();
        String expected = """
        | metric | unit | edge-agent | vmagent | edge-agent / vmagent | bar |
        | --- | --- | ---: | ---: | ---: | ---: |
        | peak RSS, steady (VmHWM) | MiB | 80.0 | 32.0 | 2.50x | PASS (<= 2.5x) |
        | peak RSS, whole run | MiB | 90.0 | 33.0 | 2.73x |  |
        | CPU, steady | s/min | 1.20 | 1.00 | 1.20x | PASS (<= 1.5x) |
        | CPU, from start (start-up and warm-up included) | s/min | 1.80 | 1.10 | 1.64x |  |
        | drain after outage | s | 3.0 | 6.0 | 0.50x | PASS (<= 2.0x, nothing lost) |
        | of which waiting for first 2xx | s | 2.0 | 5.0 | 0.40x |  |
        | lost samples | of expected | 0 of 600 | 0 of 620 |  |  |
        | disk per buffered sample | B | 30.0 | 10.0 | 3.00x |  |
        | wire per sample, steady | B | 13.20 | 13.10 | 1.01x |  |

        Command: `bench-agents -steady=30s`
        """;
        assertEquals(expected, md);
    }

    @Test
    void aFastDrainWithALostSampleFailsTheDrainBar() {
        AgentResult lossy = new AgentResult("edge-agent", 40, 40, 1.0, 1.0, 0.5, 1.0, 600, 2, 1, 1, 1);
        String md = new ResultsReport(List.of(lossy, VM), "x").markdown();
        assertTrue(md.contains("| drain after outage | s | 1.0 | 6.0 | 0.17x | FAIL (<= 2.0x, nothing lost) |"), md);
        assertTrue(md.contains("| lost samples | of expected | 2 of 600 | 0 of 620 |"), md);
    }

    @Test
    void aDrainThatTimedOutIsNotApplicableAndFails() {
        AgentResult stuck = new AgentResult("edge-agent", 40, 40, 1.0, 1.0, Double.NaN, Double.NaN, 600, 0, 1, 1, 1);
        String md = new ResultsReport(List.of(stuck, VM), "x").markdown();
        assertTrue(md.contains("| drain after outage | s | n/a | 6.0 | n/ax | FAIL"), md);
    }

    @Test
    void oneAgentAloneHasNoRatioColumns() {
        String md = new ResultsReport(List.of(VM), "x").markdown();
        assertTrue(md.startsWith("| metric | unit | vmagent |\n| --- | --- | ---: |\n"), md);
    }

    @Test
    void jsonCarriesEveryFigureAndTheBars() {
        String json = new ResultsReport(List.of(EDGE, VM), "a \"quoted\" cmd").json();
        assertTrue(json.contains("\"command\": \"a \\\"quoted\\\" cmd\""), json);
        assertTrue(
                json.contains("{\"agent\": \"edge-agent\", \"peak_rss_steady_mib\": 80.0000,"
                        + " \"peak_rss_run_mib\": 90.0000, \"cpu_seconds_per_minute\": 1.2000,"
                        + " \"cpu_seconds_per_minute_from_start\": 1.8000, \"first_push_seconds\": 2.0000, \"drain_seconds\": 3.0000, \"expected_samples\": 600, \"lost_samples\": 0,"
                        + " \"outage_buffered_samples\": 100000, \"outage_peak_disk_bytes\": 3000000,"
                        + " \"disk_bytes_per_buffered_sample\": 30.0000, \"wire_bytes_per_sample\": 13.2000}"),
                json);
        assertTrue(
                json.contains(
                        "{\"metric\": \"CPU, steady\", \"ratio\": 1.2000, \"max_ratio\": 1.5000," + " \"pass\": true}"),
                json);
        assertTrue(json.endsWith("]\n}\n"), json);
    }
}
