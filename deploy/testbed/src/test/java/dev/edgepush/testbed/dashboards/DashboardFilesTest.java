package dev.edgepush.testbed.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** deploy/dashboards/*.json are exactly what the generator writes, and are well-formed Grafana dashboards. */
class DashboardFilesTest {
    static final Path DIR = Path.of("../../deploy/dashboards").toAbsolutePath().normalize();

    @Test
    void checkedInFilesAreTheGeneratedOnes() throws Exception {
        for (String[] f : EdgepushDashboards.files()) {
            Path p = DIR.resolve(f[0]);
            assertTrue(Files.isRegularFile(p), p + " missing: run deploy/dashboards/generate");
            assertEquals(f[1], Files.readString(p), p + " differs from the generator: run deploy/dashboards/generate");
        }
        assertTrue(Files.isRegularFile(DIR.resolve("provisioning/dashboards.yml")));
        assertTrue(Files.isRegularFile(DIR.resolve("provisioning/datasources.yml")));
    }

    @Test
    void panelsFitTheGridHaveQueriesAndUseOnlyDefinedVariables() throws Exception {
        Pattern var = Pattern.compile("\\$\\{?(\\w+)");
        for (String[] f : EdgepushDashboards.files()) {
            Map<String, Object> d = new Yaml().load(f[1]);
            Set<String> vars = new HashSet<>(Set.of("__rate_interval", "__interval", "__range"));
            for (Map<String, Object> v : list(map(d.get("templating")).get("list"))) {
                vars.add((String) v.get("name"));
            }
            Set<Object> ids = new HashSet<>();
            int queries = 0;
            for (Map<String, Object> p : list(d.get("panels"))) {
                assertTrue(ids.add(p.get("id")), f[0] + ": duplicate panel id " + p.get("id"));
                Map<String, Object> g = map(p.get("gridPos"));
                assertTrue(
                        (int) g.get("x") + (int) g.get("w") <= 24,
                        f[0] + ": " + p.get("title") + " overflows the grid");
                if ("row".equals(p.get("type"))) {
                    continue;
                }
                List<Map<String, Object>> targets = list(p.get("targets"));
                assertFalse(targets.isEmpty(), f[0] + ": " + p.get("title") + " has no query");
                for (Map<String, Object> t : targets) {
                    queries++;
                    Matcher m = var.matcher((String) t.get("expr"));
                    while (m.find()) {
                        assertTrue(
                                vars.contains(m.group(1)),
                                f[0] + ": " + p.get("title") + " uses undefined $" + m.group(1));
                    }
                }
            }
            assertTrue(queries >= 10, f[0] + ": only " + queries + " queries");
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
}
