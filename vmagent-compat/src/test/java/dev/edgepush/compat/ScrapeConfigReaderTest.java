package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScrapeConfigReaderTest {

    private static ScrapeConfig parse(String yaml) throws ScrapeConfigException {
        return ScrapeConfigReader.parse(yaml, "scrape.yml");
    }

    /** Parses, expects failure, checks the message has {@code scrape.yml:<line>:} and each fragment. */
    private static ScrapeConfigException fails(String yaml, int line, String... fragments) {
        ScrapeConfigException e = assertThrows(ScrapeConfigException.class, () -> parse(yaml));
        assertTrue(e.getMessage().startsWith("scrape.yml:" + line + ": "), e.getMessage());
        assertEquals(line, e.line());
        assertEquals("scrape.yml", e.sourceName());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "missing '" + f + "' in: " + e.getMessage());
        }
        return e;
    }

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void readsFullConfig() throws Exception {
        ScrapeConfig c = parse("""
                global:
                  scrape_interval: 15s
                  scrape_timeout: 5s
                  evaluation_interval: 30s
                  external_labels:
                    robot: r2d2
                    site: lab
                scrape_configs:
                  - job_name: node
                    static_configs:
                      - targets: ['localhost:9100', '[::1]:9100']
                        labels:
                          role: base
                      - targets: [arm:9101]
                  - job_name: camera
                    scrape_interval: 1m30s
                    scrape_timeout: 500ms
                    metrics_path: /stats/prometheus
                    scheme: https
                    honor_labels: true
                    honor_timestamps: false
                    static_configs:
                      - targets: [cam.local]
                """);
        GlobalConfig g = c.global();
        assertEquals(Duration.ofSeconds(15), g.scrapeInterval());
        assertEquals(Duration.ofSeconds(5), g.scrapeTimeout());
        assertEquals(labels("robot", "r2d2", "site", "lab"), g.externalLabels());
        assertEquals(2, c.jobs().size());

        ScrapeJob node = c.jobs().get(0);
        assertEquals(
                new ScrapeJob(
                        "node",
                        Duration.ofSeconds(15),
                        Duration.ofSeconds(5),
                        "/metrics",
                        "http",
                        false,
                        true,
                        List.of(
                                new StaticTarget("localhost:9100", new TreeMap<>(labels("role", "base"))),
                                new StaticTarget("[::1]:9100", new TreeMap<>(labels("role", "base"))),
                                new StaticTarget("arm:9101", new TreeMap<>()))),
                node);

        ScrapeJob cam = c.jobs().get(1);
        assertEquals("camera", cam.jobName());
        assertEquals(Duration.ofSeconds(90), cam.scrapeInterval());
        assertEquals(Duration.ofMillis(500), cam.scrapeTimeout());
        assertEquals("/stats/prometheus", cam.metricsPath());
        assertEquals("https", cam.scheme());
        assertTrue(cam.honorLabels());
        assertFalse(cam.honorTimestamps());
        assertEquals(List.of(new StaticTarget("cam.local:443", new TreeMap<>())), cam.targets());
    }

    @Test
    void appliesDefaults() throws Exception {
        ScrapeConfig c = parse("""
                scrape_configs:
                  - job_name: node
                    static_configs:
                      - targets: [localhost, '[::1]']
                """);
        assertEquals(GlobalConfig.defaults(), c.global());
        assertEquals(Duration.ofMinutes(1), c.global().scrapeInterval());
        assertEquals(Duration.ofSeconds(10), c.global().scrapeTimeout());
        ScrapeJob j = c.jobs().get(0);
        assertEquals(Duration.ofMinutes(1), j.scrapeInterval());
        assertEquals(Duration.ofSeconds(10), j.scrapeTimeout());
        assertEquals("/metrics", j.metricsPath());
        assertEquals("http", j.scheme());
        assertFalse(j.honorLabels());
        assertTrue(j.honorTimestamps());
        assertEquals("localhost:80", j.targets().get(0).address());
        assertEquals("[::1]:80", j.targets().get(1).address());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "# just a comment\n",
                "global:\n  scrape_interval: 10s\n",
                "scrape_configs:\n",
                "scrape_configs: []\n"
            })
    void emptyOrNoJobsIsValid(String yaml) throws Exception {
        assertTrue(parse(yaml).jobs().isEmpty());
    }

    @Test
    void timeoutLongerThanIntervalBecomesInterval() throws Exception {
        ScrapeConfig c = parse("""
                global:
                  scrape_interval: 5s
                scrape_configs:
                  - job_name: fast
                  - job_name: slow
                    scrape_interval: 30s
                  - job_name: own
                    scrape_interval: 2s
                    scrape_timeout: 3s
                  - job_name: zero
                    scrape_interval: 0s
                """);
        assertEquals(Duration.ofSeconds(10), c.global().scrapeTimeout());
        assertEquals(Duration.ofSeconds(5), c.jobs().get(0).scrapeTimeout());
        assertEquals(Duration.ofSeconds(10), c.jobs().get(1).scrapeTimeout());
        assertEquals(Duration.ofSeconds(2), c.jobs().get(2).scrapeTimeout());
        assertEquals(Duration.ofSeconds(5), c.jobs().get(3).scrapeInterval());
    }

    @Test
    void anchorsAndMergeKeysWork() throws Exception {
        ScrapeConfig c = parse("""
                scrape_configs:
                  - &base
                    job_name: a
                    scrape_interval: 7s
                  - <<: *base
                    job_name: b
                """);
        assertEquals(Duration.ofSeconds(7), c.jobs().get(1).scrapeInterval());
        assertEquals("b", c.jobs().get(1).jobName());
    }

    @Test
    void badTarget() {
        fails("""
                scrape_configs:
                  - job_name: a
                  - job_name: b
                    static_configs:
                      - targets:
                          - localhost:9100
                          - host:9100
                          - foo:bar:baz
                """, 8, "scrape_configs[1].static_configs[0].targets[2]: 'foo:bar:baz' is not host:port");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "'::1'",
                "'host:0'",
                "'host:http'",
                "'host:70000'",
                "'http://host:9100'",
                "'a b:1'",
                "'[::1'",
                "'[nothost]:80'",
                "''",
                "'host:'"
            })
    void otherBadTargets(String target) {
        String raw = target.substring(1, target.length() - 1);
        fails(
                "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [" + target + "]\n",
                4,
                "targets[0]",
                raw.isEmpty() ? "must not be empty" : "'" + raw + "'");
    }

    @Test
    void missingJobName() {
        fails("scrape_configs:\n  - scrape_interval: 5s\n", 2, "scrape_configs[0]: job_name is required");
    }

    @Test
    void duplicateJobNameNamesBothLines() {
        fails("""
                scrape_configs:
                  - job_name: node
                  - job_name: other
                  - job_name: node
                """, 4, "scrape_configs[2].job_name", "duplicate job_name 'node' (lines 2 and 4)");
    }

    @Test
    void badLabelNames() {
        fails(
                "global:\n  external_labels:\n    robot-id: r1\n",
                3,
                "global.external_labels",
                "'robot-id' is not a valid label name");
        fails(
                "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [h:1]\n"
                        + "        labels:\n          9lives: x\n",
                6,
                "'9lives' is not a valid label name");
    }

    @Test
    void unsupportedKeys() {
        fails(
                "scrape_configs:\n  - job_name: a\n    oauth2: {}\n",
                3,
                "scrape_configs[0]: 'oauth2' is not supported by edge-agent yet");
        fails(
                "scrape_configs:\n  - job_name: a\n    ec2_sd_configs: []\n",
                3,
                "'ec2_sd_configs' is not supported by edge-agent yet");
        fails("scrape_configs:\n  - job_name: a\n    tls_config: {ca: x}\n", 3, "'ca' is not supported");
        fails("global: {}\nremote_write:\n  - url: http://x\n", 2, "'remote_write' is not supported");
        fails("rule_files: []\n", 1, "'rule_files' is not supported");
    }

    @Test
    void unknownKeys() {
        fails(
                "scrape_configs:\n  - job_name: a\n    scrape_intervl: 5s\n",
                3,
                "unknown field 'scrape_intervl'",
                "did you mean 'scrape_interval'");
        fails("global:\n  foo: 1\n", 2, "global: unknown field 'foo'");
        fails("scrape_config:\n  - job_name: a\n", 1, "unknown field 'scrape_config'");
        fails(
                "scrape_configs:\n  - job_name: a\n    static_configs:\n      - target: [h:1]\n",
                4,
                "unknown field 'target'");
        fails("scrape_configs:\n  - job_name: a\n    foo_sd_config: []\n", 3, "unknown field 'foo_sd_config'");
    }

    @Test
    void wrongTypes() {
        fails(
                "global:\n  scrape_interval:\n    - 15s\n",
                3,
                "global.scrape_interval must be a duration string, got a list");
        fails(
                "scrape_configs:\n  - job_name: a\n    scrape_timeout: {a: 1}\n",
                3,
                "scrape_configs[0].scrape_timeout must be a duration string, got a mapping");
        fails("scrape_configs:\n  job_name: a\n", 2, "scrape_configs must be a list, got a mapping");
        fails("scrape_configs:\n  - node\n", 2, "scrape_configs[0] must be a mapping, got a string ('node')");
        fails(
                "scrape_configs:\n  - job_name: a\n    honor_labels: 'yes please'\n",
                3,
                "honor_labels must be true or false",
                "yes please");
        fails("- a\n- b\n", 1, "the file must be a mapping, got a list");
        fails("global: 5\n", 1, "global must be a mapping, got a number (5)");
    }

    @Test
    void badValues() {
        fails(
                "global:\n  scrape_interval: 5 seconds\n",
                2,
                "global.scrape_interval",
                "invalid duration \"5 seconds\"",
                "e.g. 15s");
        fails("global:\n  evaluation_interval: soon\n", 2, "invalid duration \"soon\"");
        fails("scrape_configs:\n  - job_name: a\n    scheme: ftp\n", 3, "'ftp' is not http or https");
        fails("scrape_configs:\n  - job_name: ''\n", 2, "job_name must not be empty");
    }

    @Test
    void duplicateKeysAndBadYaml() {
        fails(
                "global:\n  scrape_interval: 5s\n  scrape_interval: 6s\n",
                3,
                "duplicate key 'scrape_interval' (first at line 2)");
        fails("scrape_configs:\n  - job_name: [unclosed\n", 3, "invalid YAML");
        fails("a: 1\n---\nb: 2\n", 2, "invalid YAML", "single document");
    }

    @Test
    void readsFileAndNamesItInErrors(@TempDir Path dir) throws IOException, ScrapeConfigException {
        Path file = dir.resolve("scrape.yml");
        Files.writeString(file, "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [h:1]\n");
        assertEquals(
                "h:1",
                ScrapeConfigReader.read(file).jobs().get(0).targets().get(0).address());
        Files.writeString(file, "scrape_configs:\n  - job_nam: a\n");
        ScrapeConfigException e = assertThrows(ScrapeConfigException.class, () -> ScrapeConfigReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage());
    }

    @Test
    void resultIsImmutable() throws Exception {
        ScrapeConfig c = parse("global:\n  external_labels: {a: b}\nscrape_configs:\n  - job_name: x\n");
        assertThrows(UnsupportedOperationException.class, () -> c.jobs().clear());
        assertThrows(
                UnsupportedOperationException.class,
                () -> c.global().externalLabels().put("c", "d"));
    }

    @Test
    void everyMistakeOfTheFileIsReportedInOneRead() {
        String yaml = "global:\n"
                + "  scrape_interval: soon\n" // 2
                + "scrape_configs:\n"
                + "  - job_name: a\n"
                + "    scrape_intervl: 5s\n" // 5
                + "    static_configs: [{targets: ['x:1:2']}]\n" // 6
                + "    relabel_configs:\n"
                + "      - {action: keep, regex: 'a(?=b)'}\n" // 8
                + "      - {action: nope}\n" // 9
                + "  - job_name: b\n"
                + "    scheme: ftp\n" // 11
                + "    oauth2: {}\n" // 12
                + "  - job_name: a\n"; // 13
        ScrapeConfigException e = assertThrows(ScrapeConfigException.class, () -> parse(yaml));
        List<String> lines = e.problems().stream()
                .map(p -> p.substring(0, p.indexOf(':', "scrape.yml:".length())))
                .toList();
        assertEquals(
                List.of(
                        "scrape.yml:2",
                        "scrape.yml:5",
                        "scrape.yml:6",
                        "scrape.yml:8",
                        "scrape.yml:9",
                        "scrape.yml:11",
                        "scrape.yml:12",
                        "scrape.yml:13"),
                lines,
                e.getMessage());
        assertEquals(2, e.line());
        assertEquals(String.join("\n", e.problems()), e.getMessage());
        assertTrue(
                e.problems().get(1).contains("unknown field 'scrape_intervl' (did you mean 'scrape_interval'?)"),
                e.getMessage());
        assertTrue(e.problems().get(7).contains("duplicate job_name 'a'"), e.getMessage());
    }
}
