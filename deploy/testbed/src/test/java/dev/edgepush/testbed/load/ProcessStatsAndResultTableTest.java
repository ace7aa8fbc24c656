package dev.edgepush.testbed.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessStatsAndResultTableTest {

    @Test
    void cpuSecondsAreUtimePlusStimeEvenWhenTheCommandNameHasSpacesAndParentheses() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 125 0 0 20 0 40 0 100 1000 100";
        assertEquals(3.75, ProcessStats.cpuSecondsFromStat(stat), 1e-9);
    }

    @Test
    void peakRssIsVmHwm() {
        assertEquals(
                1234L * 1024, ProcessStats.peakRssFromStatus("Name:\tjava\nVmPeak:\t 9999 kB\nVmHWM:\t    1234 kB\n"));
    }

    @Test
    void readsThisProcessesOwnFigures() throws Exception {
        long pid = ProcessHandle.current().pid();
        assertTrue(ProcessStats.cpuSeconds(pid) > 0);
        assertTrue(ProcessStats.peakRssBytes(pid) > 1 << 20);
    }

    @Test
    void passNeedsHalfOfVmagentsRateNoNon2xxAndEverythingStored() {
        ReceiverRun vmagent = run("vmagent", 1_000_000, Map.of(), 100, 100);
        assertEquals("PASS", last(ResultTable.verdict(run("central-ingest", 500_000, Map.of(), 100, 100), vmagent)));
        assertEquals("FAIL", last(ResultTable.verdict(run("central-ingest", 499_999, Map.of(), 100, 100), vmagent)));
        assertEquals(
                "FAIL",
                last(ResultTable.verdict(run("central-ingest", 900_000, Map.of("500", 1L), 100, 100), vmagent)));
        assertEquals("FAIL", last(ResultTable.verdict(run("central-ingest", 900_000, Map.of(), 100, 99), vmagent)));
        assertTrue(ResultTable.markdown(List.of(vmagent)).contains("| vmagent | 1,000,000 |"));
    }

    @Test
    void parityNeedsVmagentsRateAndNoMoreCpuPerSample() {
        // run(): 30 M samples accepted at 10 CPU s under load = 0.333 CPU s per M samples
        ReceiverRun vmagent = run("vmagent", 1_000_000, Map.of(), 100, 100);
        assertTrue(ResultTable.verdict(run("central-ingest", 1_000_000, Map.of(), 100, 100), vmagent)
                .get(0)
                .endsWith("= 1.00); both at least 1.00: yes"));
        assertTrue(ResultTable.verdict(run("central-ingest", 999_999, Map.of(), 100, 100), vmagent)
                .get(0)
                .endsWith(": no"));
        assertTrue(ResultTable.verdict(run("central-ingest", 1_100_000, Map.of(), 100, 100), vmagent)
                .get(0)
                .startsWith(
                        "- next to vmagent: samples/s 1.10 x vmagent's, CPU s per M samples 0.333 vs vmagent's 0.333"));
    }

    @Test
    void roundsAreJudgedOnMediansAndEachRoundIsShown() {
        List<ReceiverRun> ingest = List.of(
                run("central-ingest", 900_000, Map.of(), 100, 100),
                run("central-ingest", 1_200_000, Map.of(), 100, 100),
                run("central-ingest", 1_100_000, Map.of(), 100, 100));
        List<ReceiverRun> vmagent = List.of(
                run("vmagent", 1_000_000, Map.of(), 100, 100),
                run("vmagent", 2_000_000, Map.of(), 100, 100),
                run("vmagent", 1_050_000, Map.of(), 100, 100));
        List<String> v = ResultTable.verdict(ingest, vmagent);
        assertTrue(v.get(0).startsWith("- next to vmagent, medians of 3 rounds: samples/s 1.05 x"), v.get(0));
        assertTrue(v.get(1).startsWith("  - round 1: samples/s 0.90 x"), v.get(1));
        assertTrue(v.get(2).startsWith("  - round 2: samples/s 0.60 x"), v.get(2));
        assertEquals("PASS", last(v));
        List<ReceiverRun> oneLost =
                List.of(ingest.get(0), ingest.get(1), run("central-ingest", 1_100_000, Map.of(), 100, 99));
        assertEquals("FAIL", last(ResultTable.verdict(oneLost, vmagent)));
        assertEquals(1.5, ResultTable.median(List.of(2.0, 1.0)), 1e-9);
    }

    @Test
    void durationsReadLikeFlags() {
        assertEquals(Duration.ofSeconds(30), IngestLoadBenchmark.duration("30s"));
        assertEquals(Duration.ofMillis(500), IngestLoadBenchmark.duration("500ms"));
        assertEquals(Duration.ofMinutes(2), IngestLoadBenchmark.duration("2m"));
    }

    private static ReceiverRun run(String name, double rate, Map<String, Long> rejected, long accepted, long stored) {
        return new ReceiverRun(
                name,
                rate,
                30_000_000,
                15_000,
                rejected,
                10,
                12,
                100 << 20,
                5,
                accepted,
                stored,
                1.5,
                31_000_000,
                31_000_000);
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }
}
