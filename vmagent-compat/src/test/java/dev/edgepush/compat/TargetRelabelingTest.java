package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TargetRelabelingTest {

    private static ScrapeJob job(String relabelYaml) throws ScrapeConfigException {
        return new ScrapeJob(
                "node",
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                "/metrics",
                "http",
                false,
                true,
                java.util.List.of(),
                RelabelConfigReader.parse(relabelYaml, "r.yml"),
                Relabeler.EMPTY);
    }

    private static StaticTarget target(String address, String... labels) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            m.put(labels[i], labels[i + 1]);
        }
        return new StaticTarget(address, new TreeMap<>(m));
    }

    @Test
    void relabelingSeesTheMetaLabelsAndTheyAreRemovedAfterwards() throws Exception {
        ScrapeJob j = job("""
                - action: keep
                  source_labels: [__address__, __scheme__, __metrics_path__, __scrape_interval__,
                                  __scrape_timeout__, job, role]
                  regex: 'h:9100;http;/metrics;30s;10s;node;arm'
                - target_label: __tmp_keep_me_not
                  replacement: x
                """);
        RelabeledTarget t =
                TargetRelabeling.apply(j, target("h:9100", "role", "arm")).orElseThrow();
        assertEquals(new TreeMap<>(Map.of("job", "node", "instance", "h:9100", "role", "arm")), t.labels());
        assertEquals("http://h:9100/metrics", t.url());
        assertEquals(Optional.empty(), TargetRelabeling.apply(j, target("h:9100", "role", "base")));
    }

    @Test
    void metaLabelsDecideWhereAndHowOftenToScrape() throws Exception {
        ScrapeJob j = job("""
                - target_label: __address__
                  replacement: other.local
                - target_label: __scheme__
                  replacement: https
                - target_label: __metrics_path__
                  replacement: federate
                - target_label: __scrape_interval__
                  replacement: 5s
                - target_label: __scrape_timeout__
                  replacement: 1m
                """);
        RelabeledTarget t = TargetRelabeling.apply(j, target("h:9100")).orElseThrow();
        assertEquals("https://other.local:443/federate", t.url(), "default port by scheme, '/' added");
        assertEquals(Duration.ofSeconds(5), t.scrapeInterval());
        assertEquals(Duration.ofSeconds(5), t.scrapeTimeout(), "timeout capped at the interval");
        assertEquals("other.local:443", t.labels().get("instance"));
    }

    @Test
    void staticLabelsWinOverJobDefaults() throws Exception {
        RelabeledTarget t =
                TargetRelabeling.apply(job(""), target("h:1", "job", "mine")).orElseThrow();
        assertEquals("mine", t.labels().get("job"));
    }

    @Test
    void anEmptyAddressDropsTheTarget() throws Exception {
        assertEquals(Optional.empty(), TargetRelabeling.apply(job("""
                - target_label: __address__
                  replacement: ''
                """), target("h:1")));
    }

    @Test
    void unusableResultsSayWhatIsWrong() throws Exception {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> TargetRelabeling.apply(
                        job("- target_label: __scrape_interval__\n  replacement: soon\n"), target("h:1")));
        assertTrue(
                e.getMessage().startsWith("target h:1 of job node after relabeling: __scrape_interval__: "),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> TargetRelabeling.apply(
                        job("- target_label: __address__\n  replacement: 'a:b:c'\n"), target("h:1")));
        assertTrue(e.getMessage().contains("__address__: 'a:b:c' is not host:port"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0s",
        "1, 1ns",
        "1500, 1.5µs",
        "500000000, 500ms",
        "1000000000, 1s",
        "1500000000, 1.5s",
        "90000000000, 1m30s",
        "3600000000000, 1h0m0s",
        "3723000000000, 1h2m3s",
        "15000000000, 15s"
    })
    void formatsDurationsLikeGo(long nanos, String expected) {
        assertEquals(expected, TargetRelabeling.formatGo(Duration.ofNanos(nanos)));
    }
}
