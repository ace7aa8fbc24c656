package dev.edgepush.testbed.dashboards;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testbed.alerts.ObservedFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every template variable and every panel query of deploy/dashboards/*.json (the files, as
 * Grafana would load them) returns data from a real VictoriaMetrics fed by the testbed fleet
 * ({@link ObservedFleet}: edge-agents, sensors, node exporter, central-ingest, vmagent, and
 * vmalert writing the recording rules and ALERTS back; the rules' groups evaluated each 2 s
 * instead of 30 s). Variables are resolved the way Grafana does ({@code label_values} through
 * {@code /api/v1/label/.../values}), the first value chosen; {@code $__rate_interval} is 30s.
 */
class DashboardQueriesIT {
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*(\\w+)\\)");

    @Test
    void everyVariableResolvesAndEveryPanelQueryReturnsData() throws Exception {
        Path dir = Path.of("target/dashboard-queries").toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir);
        Path rules = dir.resolve("rules.yml");
        Path source = Path.of("../../deploy/alerts/edgepush-rules.yml")
                .toAbsolutePath()
                .normalize();
        Files.writeString(rules, Files.readString(source).replace("interval: 30s", "interval: 2s"));
        try (ObservedFleet fleet = ObservedFleet.start(dir, 2, rules, "http://127.0.0.1:9")) {
            // Data for a few scrapes and evaluations: rates need two samples, recording rules one evaluation.
            fleet.awaitSeries("robot:sensor_error_budget_remaining:ratio_1d", java.time.Duration.ofSeconds(180));
            fleet.awaitSeries("rate(edge_agent_samples_sent_total[30s])", java.time.Duration.ofSeconds(180));
            List<String> missing = List.of();
            int checked = 0;
            long deadline = System.nanoTime() + 180_000_000_000L;
            do {
                if (!missing.isEmpty()) {
                    Thread.sleep(2000);
                }
                List<String> now = new ArrayList<>();
                checked = 0;
                for (Path file : dashboards()) {
                    Map<String, Object> d = new Yaml().load(Files.readString(file));
                    Map<String, String> values = new LinkedHashMap<>();
                    for (Map<String, Object> v : DashboardFilesTest.list(
                            DashboardFilesTest.map(d.get("templating")).get("list"))) {
                        if (!"query".equals(v.get("type"))) {
                            continue;
                        }
                        checked++;
                        String def = (String) v.get("definition");
                        Matcher m = LABEL_VALUES.matcher(def);
                        assertTrue(
                                m.matches(),
                                file.getFileName() + ": variable " + v.get("name") + " is not label_values(...): "
                                        + def);
                        String answer = fleet.labelValues(m.group(2), substitute(m.group(1), values));
                        Matcher first =
                                Pattern.compile("\"data\":\\[\"([^\"]+)\"").matcher(answer);
                        if (first.find()) {
                            values.put((String) v.get("name"), first.group(1));
                        } else {
                            now.add(file.getFileName() + " variable $" + v.get("name") + " (" + def + "): " + answer);
                            values.put((String) v.get("name"), "none");
                        }
                    }
                    for (Map<String, Object> p : DashboardFilesTest.list(d.get("panels"))) {
                        for (Map<String, Object> t : DashboardFilesTest.list(p.get("targets"))) {
                            checked++;
                            String expr = substitute((String) t.get("expr"), values);
                            String answer = fleet.queryRange(expr, 120);
                            if (answer.contains("\"result\":[]") || !answer.contains("\"status\":\"success\"")) {
                                now.add(file.getFileName() + " \"" + p.get("title") + "\" " + expr + " -> " + answer);
                            }
                        }
                    }
                }
                missing = now;
            } while (!missing.isEmpty() && System.nanoTime() < deadline);
            System.out.println("dashboards: " + checked + " variables and panel queries checked, " + missing.size()
                    + " without data");
            assertTrue(
                    missing.isEmpty(),
                    "without data (logs in " + dir.resolve("logs") + "):\n" + String.join("\n", missing));
            assertTrue(checked >= 60, "only " + checked + " queries");
            // The check can fail: a series nobody exports comes back empty and would be reported.
            assertTrue(fleet.queryRange("edge_agent_no_such_metric", 120).contains("\"result\":[]"));
        }
    }

    static String substitute(String expr, Map<String, String> values) {
        String out = expr.replace("$__rate_interval", "30s")
                .replace("$__interval", "5s")
                .replace("$__range", "2m");
        for (Map.Entry<String, String> e : values.entrySet()) {
            out = out.replace("${" + e.getKey() + "}", e.getValue()).replace("$" + e.getKey(), e.getValue());
        }
        return out;
    }

    static List<Path> dashboards() throws Exception {
        try (Stream<Path> s = Files.list(DashboardFilesTest.DIR)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    static void deleteTree(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
