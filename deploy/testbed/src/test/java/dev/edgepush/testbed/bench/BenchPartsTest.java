package dev.edgepush.testbed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flag parser, the scrape config, the loss count and du's output. */
class BenchPartsTest {
    @Test
    void defaultsAreTheIssuesConfiguration() {
        BenchFlags f = BenchFlags.parse(new String[0]);
        assertEquals(10, f.targets());
        assertEquals(1000, f.series());
        assertEquals(Duration.ofSeconds(1), f.interval());
        assertEquals(Duration.ofSeconds(60), f.steady());
        assertEquals(Duration.ofSeconds(60), f.outage());
        assertEquals(List.of("edge-agent", "vmagent"), f.agents());
    }

    @Test
    void parsesEveryFlagGoStyle() {
        BenchFlags f = BenchFlags.parse(new String[] {
            "-targets=3",
            "--series=5",
            "-interval=500ms",
            "-steady=2m",
            "-outage=30s",
            "-agents=vmagent",
            "-out=/tmp/x",
            "-repo=/r"
        });
        assertEquals(3, f.targets());
        assertEquals(5, f.series());
        assertEquals(Duration.ofMillis(500), f.interval());
        assertEquals(Duration.ofMinutes(2), f.steady());
        assertEquals(List.of("vmagent"), f.agents());
        assertEquals(Path.of("/tmp/x"), f.out());
        assertEquals(Path.of("/r"), f.repo());
    }

    @Test
    void agentsMayCarryTheirOwnFlagsAndPushViaCentralIngest() {
        BenchFlags f = BenchFlags.parse(new String[] {
            "-agents=vmagent, edge-agent  -remoteWrite.protocol=2.0 -remoteWrite.compression=snappy,edge-agent",
            "-via=central-ingest"
        });
        assertEquals(
                List.of(
                        "vmagent",
                        "edge-agent -remoteWrite.protocol=2.0 -remoteWrite.compression=snappy",
                        "edge-agent"),
                f.agents());
        assertEquals("edge-agent", BenchFlags.agentName(f.agents().get(1)));
        assertEquals(
                List.of("-remoteWrite.protocol=2.0", "-remoteWrite.compression=snappy"),
                BenchFlags.agentFlags(f.agents().get(1)));
        assertEquals(List.of(), BenchFlags.agentFlags("vmagent"));
        assertEquals("central-ingest", f.via());
        assertEquals("", BenchFlags.parse(new String[0]).via());
        assertEquals(
                "invalid value \"edge-agent 2.0\" for flag -agents: \"2.0\" after edge-agent is not a flag",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> BenchFlags.parse(new String[] {"-agents=edge-agent 2.0"}))
                        .getMessage());
        assertEquals(
                "invalid value \"vm\" for flag -via: want central-ingest or nothing",
                assertThrows(IllegalArgumentException.class, () -> BenchFlags.parse(new String[] {"-via=vm"}))
                        .getMessage());
    }

    @Test
    void badFlagsAreNamedWithTheirValue() {
        assertEquals(
                "unknown flag -target=3",
                assertThrows(IllegalArgumentException.class, () -> BenchFlags.parse(new String[] {"-target=3"}))
                        .getMessage());
        assertEquals(
                "invalid value \"edge-agent,prometheus\" for flag -agents: unknown agent"
                        + " \"prometheus\"; known: [edge-agent, vmagent]",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> BenchFlags.parse(new String[] {"-agents=edge-agent,prometheus"}))
                        .getMessage());
        assertEquals(
                "invalid value \"60x\" for flag -steady: unit must be ms, s, m or h",
                assertThrows(IllegalArgumentException.class, () -> BenchFlags.parse(new String[] {"-steady=60x"}))
                        .getMessage());
        assertEquals(
                "invalid value \"0s\" for flag -outage: must be above zero",
                assertThrows(IllegalArgumentException.class, () -> BenchFlags.parse(new String[] {"-outage=0s"}))
                        .getMessage());
    }

    @Test
    void scrapeConfigIsOneJobWithTheGlobalInterval() {
        assertEquals("""
        global:
          scrape_interval: 500ms
          scrape_timeout: 500ms
        scrape_configs:
          - job_name: sensor
            static_configs:
              - targets:
                  - '127.0.0.1:1'
                  - '127.0.0.1:2'
        """, AgentRun.scrapeConfig(List.of("127.0.0.1:1", "127.0.0.1:2"), Duration.ofMillis(500)));
    }

    @Test
    void lossCountTakesDistinctAnsweredSequenceNumbersPerInstance() {
        String export = """
        {"metric":{"__name__":"sensor_scrape_seq","job":"sensor","instance":"127.0.0.1:1"},"values":[1,2,2,3,4,null],"timestamps":[1,2,2,3,4,5]}
        {"metric":{"__name__":"sensor_scrape_seq","job":"sensor","instance":"127.0.0.1:2"},"values":[1,3],"timestamps":[1,3]}
        {"metric":{"__name__":"sensor_scrape_seq","job":"other","instance":"127.0.0.1:9"},"values":[1],"timestamps":[1]}
        """;
        // Instance 1 answered 3 (its 4 came after the count), instance 2 answered 3 but 2 is missing.
        assertEquals(3 + 2, StoredScrapes.count(export, Map.of("127.0.0.1:1", 3L, "127.0.0.1:2", 3L)));
    }

    @Test
    void duOutputGivesAllocatedBytes() throws Exception {
        assertEquals(3522560, DiskUsage.parseDu("3522560\t/tmp/agent-data\n", Path.of("/tmp")));
        assertThrows(java.io.IOException.class, () -> DiskUsage.parseDu("", Path.of("/tmp")));
    }
}
