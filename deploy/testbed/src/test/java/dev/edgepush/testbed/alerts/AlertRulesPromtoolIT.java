package dev.edgepush.testbed.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/alerts/ checked by the real promtool ({@code apt-get install -y prometheus}): the rules
 * parse ({@code promtool check rules}), every unit test in deploy/alerts/tests passes ({@code
 * promtool test rules}), and every alert has such a test in which it fires and, later, resolves;
 * its labels and annotations follow the README's conventions and it has a runbook line there.
 */
class AlertRulesPromtoolIT {
    static final Path ALERTS = Tools.repo().resolve("deploy/alerts");
    static final Path RULES = ALERTS.resolve("edgepush-rules.yml");

    @Test
    void promtoolChecksTheRules() throws Exception {
        String promtool = Tools.require("promtool", "prometheus");
        Tools.Run r = Tools.run(ALERTS, List.of(promtool, "check", "rules", RULES.toString()), 60);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("SUCCESS: " + rules().size() + " rules found"), r.output());
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        String promtool = Tools.require("promtool", "prometheus");
        List<String> cmd = new ArrayList<>(List.of(promtool, "test", "rules"));
        testFiles().forEach(f -> cmd.add(f.toString()));
        Tools.Run r = Tools.run(ALERTS, cmd, 300);
        assertEquals(0, r.exit(), r.output());
        assertFalse(r.output().contains("FAILED"), r.output());
    }

    /** The unit tests can fail: a rule that fires too early (a 30 s threshold instead of 5 min) is caught. */
    @Test
    void aWrongThresholdFailsTheUnitTests(@TempDir Path tmp) throws Exception {
        String promtool = Tools.require("promtool", "prometheus");
        String rules = Files.readString(RULES);
        String broken = rules.replace(
                "(central_ingest_robot_last_push_timestamp_seconds) > 300",
                "(central_ingest_robot_last_push_timestamp_seconds) > 30");
        assertNotEquals(rules, broken);
        Files.writeString(tmp.resolve("edgepush-rules.yml"), broken);
        Path tests = Files.createDirectories(tmp.resolve("tests"));
        Files.copy(ALERTS.resolve("tests/delivery_test.yml"), tests.resolve("delivery_test.yml"));
        Tools.Run r = Tools.run(tmp, List.of(promtool, "test", "rules", "tests/delivery_test.yml"), 120);
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("alertname: EdgepushRobotOffline, time: 8m"), r.output());
    }

    @Test
    void everyAlertFiresAndResolvesInAUnitTest() throws IOException {
        Map<String, List<String>> seen = new LinkedHashMap<>(); // alert -> "fires"/"quiet" in eval order per test
        for (Path f : testFiles()) {
            Map<String, Object> doc = new Yaml().load(Files.readString(f));
            for (Map<String, Object> t : list(doc.get("tests"))) {
                Map<String, StringBuilder> order = new LinkedHashMap<>();
                for (Map<String, Object> a : list(t.getOrDefault("alert_rule_test", List.of()))) {
                    boolean fires = !list(a.get("exp_alerts")).isEmpty();
                    order.computeIfAbsent((String) a.get("alertname"), k -> new StringBuilder())
                            .append(fires ? 'F' : 'q');
                }
                order.forEach((alert, s) ->
                        seen.computeIfAbsent(alert, k -> new ArrayList<>()).add(s.toString()));
            }
        }
        for (String alert : alerts().keySet()) {
            List<String> runs = seen.getOrDefault(alert, List.of());
            // quiet before (its for: not yet over), firing, quiet again after the condition went away
            assertTrue(
                    runs.stream().anyMatch(s -> s.matches("q+F+q+")),
                    alert + ": needs a unit test where it is quiet, then fires, then resolves; has " + runs);
        }
    }

    @Test
    void everyAlertHasSeveritySummaryDescriptionAndARunbookLine() throws IOException {
        String readme = Files.readString(ALERTS.resolve("README.md"));
        for (Map.Entry<String, Map<String, Object>> e : alerts().entrySet()) {
            String alert = e.getKey();
            Map<String, Object> labels = map(e.getValue().get("labels"));
            Map<String, Object> ann = map(e.getValue().get("annotations"));
            assertTrue(Set.of("warning", "critical").contains(labels.get("severity")), alert + " severity");
            assertTrue(ann.get("summary") instanceof String, alert + " summary");
            String description = (String) ann.get("description");
            String expr = (String) e.getValue().get("expr");
            // central-ingest's own alerts name its instance; every other alert is about one robot
            boolean ingestOnly = !expr.contains("robot") && expr.contains("central");
            String subject = ingestOnly ? "{{ $labels.instance }}" : "{{ $labels.robot }}";
            assertTrue(
                    description != null && description.contains(subject), alert + ": description must name " + subject);
            assertEquals(
                    "deploy/alerts/README.md#" + alert.toLowerCase(java.util.Locale.ROOT), ann.get("runbook"), alert);
            assertTrue(
                    readme.contains(
                            "| <a id=\"" + alert.toLowerCase(java.util.Locale.ROOT) + "\"></a>`" + alert + "` |"),
                    alert + ": needs a row in deploy/alerts/README.md");
        }
    }

    static Map<String, Map<String, Object>> alerts() throws IOException {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map<String, Object> r : rules()) {
            if (r.containsKey("alert")) {
                out.put((String) r.get("alert"), r);
            }
        }
        return out;
    }

    static List<Map<String, Object>> rules() throws IOException {
        Map<String, Object> doc = new Yaml().load(Files.readString(RULES));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> g : list(doc.get("groups"))) {
            out.addAll(list(g.get("rules")));
        }
        return out;
    }

    static List<Path> testFiles() throws IOException {
        try (Stream<Path> s = Files.list(ALERTS.resolve("tests"))) {
            return s.filter(p -> p.toString().endsWith("_test.yml")).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        return o == null ? List.of() : (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    static Set<String> names() throws IOException {
        return new TreeSet<>(alerts().keySet());
    }
}
