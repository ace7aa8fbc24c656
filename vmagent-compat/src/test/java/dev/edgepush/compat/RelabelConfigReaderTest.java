package dev.edgepush.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelabelConfigReaderTest {

    private static ScrapeConfigException fails(String yaml, int line, String... fragments) {
        ScrapeConfigException e =
                assertThrows(ScrapeConfigException.class, () -> RelabelConfigReader.parse(yaml, "relabel.yml"));
        assertTrue(e.getMessage().startsWith("relabel.yml:" + line + ": "), e.getMessage());
        assertEquals(line, e.line());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "missing '" + f + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void readsEveryKey() throws Exception {
        Relabeler r = RelabelConfigReader.parse("""
                - action: hashmod
                  source_labels: [a, b]
                  separator: ''
                  target_label: shard
                  modulus: 4
                - regex: [x, 'y.*']
                  replacement: ''
                  target_label: t
                  if: '{a="1"}'
                - action: drop
                  if: ['{a="1"}', 'up']
                """, "relabel.yml");
        assertEquals(
                List.of(
                        new RelabelConfig("hashmod", List.of("a", "b"), "", "shard", null, 4, null, List.of()),
                        new RelabelConfig(null, List.of(), null, "t", "x|y.*", 0, "", List.of("{a=\"1\"}")),
                        new RelabelConfig("drop", List.of(), null, null, null, 0, null, List.of("{a=\"1\"}", "up"))),
                r.configs());
    }

    @Test
    void emptyFileOrListHasNoConfigs() throws Exception {
        assertSame(Relabeler.EMPTY, RelabelConfigReader.parse("", "relabel.yml"));
        assertSame(Relabeler.EMPTY, RelabelConfigReader.parse("[]\n", "relabel.yml"));
    }

    @Test
    void compileErrorsPointAtTheKeyOrTheConfig() {
        fails("- action: keepp\n  source_labels: [a]\n", 1, "[0].action: unknown action 'keepp'", "keep_if_equal");
        fails(
                "- source_labels: [a]\n  target_label: b\n- source_labels: [b]\n  regex: (a\n",
                4,
                "[1].regex: cannot parse regex \"(a\"");
        fails("- source_labels: [a]\n  replacement: x\n", 1, "[0]: missing target_label for action replace");
        fails(
                "- action: hashmod\n  source_labels: [a]\n  target_label: s\n",
                1,
                "modulus must be set and greater than 0");
        fails("- action: keep\n", 1, "missing source_labels (or if) for action keep");
        fails("- action: keep_if_equal\n  source_labels: [a]\n", 2, "[0].source_labels", "at least two entries");
        fails(
                "- action: keep_if_equal\n  source_labels: [a, b]\n  regex: x\n",
                3,
                "regex cannot be used with action keep_if_equal");
        fails(
                "- action: labeldrop\n  regex: a\n  source_labels: [a]\n",
                3,
                "source_labels cannot be used with action labeldrop");
        fails("- action: drop_metrics\n", 1, "regex must be non-empty for action drop_metrics");
        fails("- action: replace_all\n  target_label: a\n", 1, "missing source_labels for action replace_all");
        fails("- action: keepequal\n  source_labels: [a]\n", 1, "missing target_label for action keepequal");
        fails("- action: drop\n  if: '{a=\"1\"'\n", 2, "[0].if: cannot parse series selector", "missing '}'");
        fails("- action: drop\n  source_labels: [a]\n  regex: '(?U)a+'\n", 3, "ungreedy");
        fails("- action: drop\n  source_labels: [a]\n  regex: '(a)\\1'\n", 3, "back-references");
    }

    @Test
    void yamlErrors() {
        fails("- target_lable: a\n", 1, "[0]: unknown field 'target_lable'", "did you mean 'target_label'");
        fails("- action: graphite\n  match: 'foo.*'\n", 2, "'match' is for action graphite");
        fails("- action: hashmod\n  modulus: -3\n", 2, "[0].modulus", "greater than 0");
        fails("- action: hashmod\n  modulus: many\n", 2, "[0].modulus must be a whole number");
        fails("- source_labels: a\n  target_label: b\n", 1, "[0].source_labels must be a list");
        fails("action: drop\n", 1, "the file must be a list, got a mapping");
        fails("- drop\n", 1, "[0] must be a mapping");
        fails("- action: [drop]\n", 1, "[0].action must be a string");
        fails("- a: [\n", 2, "invalid YAML");
    }

    @Test
    void readsAFile(@TempDir Path dir) throws IOException, ScrapeConfigException {
        Path f = dir.resolve("rw-relabel.yml");
        Files.writeString(f, "- action: labeldrop\n  regex: pod\n");
        Relabeler r = RelabelConfigReader.read(f);
        LabelSet ls = LabelSet.of("pod", "p", "job", "j");
        assertTrue(r.apply(ls));
        assertEquals("{job=\"j\"}", ls.toString());
        Files.writeString(f, "- action: nope\n");
        ScrapeConfigException e = assertThrows(ScrapeConfigException.class, () -> RelabelConfigReader.read(f));
        assertTrue(e.getMessage().startsWith(f + ":1: "), e.getMessage());
    }

    @Test
    void scrapeJobsCarryBothRelabelers() throws Exception {
        ScrapeConfig c = ScrapeConfigReader.parse("""
                scrape_configs:
                  - job_name: a
                    static_configs:
                      - targets: [h:1]
                    relabel_configs:
                      - target_label: env
                        replacement: prod
                    metric_relabel_configs:
                      - action: drop_metrics
                        regex: go_.*
                  - job_name: b
                """, "scrape.yml");
        ScrapeJob a = c.jobs().get(0);
        assertEquals(
                List.of(new RelabelConfig(null, List.of(), null, "env", null, 0, "prod", List.of())),
                a.relabelConfigs().configs());
        assertEquals("drop_metrics", a.metricRelabelConfigs().configs().get(0).action());
        assertSame(Relabeler.EMPTY, c.jobs().get(1).relabelConfigs());
        assertSame(Relabeler.EMPTY, c.jobs().get(1).metricRelabelConfigs());
    }

    @Test
    void scrapeConfigErrorsNameTheJobPathAndLine() {
        ScrapeConfigException e =
                assertThrows(ScrapeConfigException.class, () -> ScrapeConfigReader.parse("""
                scrape_configs:
                  - job_name: a
                    metric_relabel_configs:
                      - action: drop
                        source_labels: [__name__]
                        regex: 'go_(.*'
                """, "scrape.yml"));
        assertEquals(
                "scrape.yml:6: scrape_configs[0].metric_relabel_configs[0].regex: cannot parse regex"
                        + " \"go_(.*\": Unclosed group",
                e.getMessage().substring(0, e.getMessage().indexOf("group") + 5));
        ScrapeConfigException e2 =
                assertThrows(ScrapeConfigException.class, () -> ScrapeConfigReader.parse("""
                scrape_configs:
                  - job_name: a
                    relabel_configs:
                      - source_labels: [a]
                      - action: relabel
                """, "scrape.yml"));
        assertTrue(
                e2.getMessage()
                        .startsWith("scrape.yml:4: scrape_configs[0].relabel_configs[0]: missing"
                                + " target_label for action replace"),
                e2.getMessage());
    }
}
