package dev.edgepush.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.ChildJvm;
import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.VictoriaMetrics;
import dev.edgepush.testsupport.Vmagent;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's side-by-side proof against a real target: two in-process sensor simulators (each
 * with 50 synthetic gauges) are scraped at the same time by the real vmagent (Debian's
 * {@code victoria-metrics} package) and by the packaged edge-agent jar, with identical flags and
 * an identical scrape config (static labels, external labels, metric relabelling). Each agent
 * pushes to its own real VictoriaMetrics; the stored series sets (every label of every series)
 * must be identical. Values differ per scrape (the simulators move on every scrape), so only the
 * series are compared. Uses {@code edge-agent/target/edge-agent.jar}, which the reactor packages
 * before this module runs its tests.
 */
class SensorSideBySideWithVmagentIT {
    private static final int SYNTHETIC = 50;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS) // a guard against a hang, generous for a loaded machine
    void vmagentAndEdgeAgentStoreTheSameSensorSeries() throws Exception {
        Path jar = Path.of("../../edge-agent/target/edge-agent.jar")
                .toAbsolutePath()
                .normalize();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: package edge-agent first (the reactor does)");
        long started = System.nanoTime();
        try (SensorServer s1 = SensorServer.start("127.0.0.1", 0, 1, SYNTHETIC);
                SensorServer s2 = SensorServer.start("127.0.0.1", 0, 2, SYNTHETIC);
                VictoriaMetrics forVmagent = new VictoriaMetrics(Files.createDirectories(dir.resolve("vm1")));
                VictoriaMetrics forEdge = new VictoriaMetrics(Files.createDirectories(dir.resolve("vm2")))) {
            Path config = dir.resolve("scrape.yml");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "global:",
                            "  scrape_interval: 1s",
                            "  external_labels: {site: lab, fleet: alpha}",
                            "scrape_configs:",
                            "  - job_name: sensors",
                            "    honor_labels: false",
                            "    static_configs:",
                            "      - targets: ['127.0.0.1:" + s1.port() + "']",
                            "        labels: {unit: s1, room: lab}",
                            "      - targets: ['127.0.0.1:" + s2.port() + "']",
                            "        labels: {unit: s2, room: hall}",
                            "    metric_relabel_configs:",
                            "      - {action: drop, source_labels: [__name__], regex: sensor_cpu_spike_duration_seconds_bucket}",
                            "      - {action: labelmap, regex: 'sens(or)', replacement: 'part_$1'}",
                            "      - {action: drop, source_labels: [__name__, idx], regex: 'sensor_synthetic_value;4[0-9]'}",
                            "      - {action: replace, source_labels: [status], regex: '5..', target_label: failed, replacement: 'yes'}",
                            ""));
            String[] common = {"-promscrape.config=" + config, "-remoteWrite.label=robot=r1"};
            int edgePort = Loopback.freePort();
            List<String> vmaFlags = new ArrayList<>(List.of(common));
            vmaFlags.addAll(List.of(
                    "-remoteWrite.url=" + forVmagent.writeUrl(),
                    "-remoteWrite.tmpDataPath=" + dir.resolve("vmagent-data")));
            List<String> edgeArgs = new ArrayList<>(List.of(common));
            edgeArgs.addAll(List.of(
                    "-remoteWrite.url=" + forEdge.writeUrl(),
                    "-remoteWrite.tmpDataPath=" + dir.resolve("edge-data"),
                    "-httpListenAddr=127.0.0.1:" + edgePort));
            List<String> edgeCmd =
                    ChildJvm.jarCommand(List.of("-Xmx64m", "-Dchronicle.analytics.disable=true"), jar, edgeArgs);
            try (ChildProcess vma = Vmagent.start(dir, vmaFlags);
                    ChildProcess edge = ChildProcess.launch("edge-agent", edgePort, dir, edgeCmd)) {
                awaitScrapes(forVmagent, 2, 4, vma);
                awaitScrapes(forEdge, 2, 4, edge);
            }
            Set<String> fromVmagent = series(forVmagent);
            Set<String> fromEdge = series(forEdge);
            System.out.println("series stored: vmagent " + fromVmagent.size() + ", edge-agent " + fromEdge.size()
                    + "; scrapes answered: s1 " + s1.scrapesAnswered() + ", s2 " + s2.scrapesAnswered());
            Set<String> onlyVmagent = new TreeSet<>(fromVmagent);
            onlyVmagent.removeAll(fromEdge);
            Set<String> onlyEdge = new TreeSet<>(fromEdge);
            onlyEdge.removeAll(fromVmagent);
            onlyVmagent.forEach(x -> System.out.println("only vmagent:    " + x));
            onlyEdge.forEach(x -> System.out.println("only edge-agent: " + x));

            // what both must have stored (checked on each side, so a difference shows up by name)
            for (Set<String> side : List.of(fromVmagent, fromEdge)) {
                for (String unit : List.of("s1", "s2")) {
                    assertTrue(
                            side.stream()
                                    .anyMatch(x -> x.startsWith("{__name__=sensor_request_duration_seconds_bucket,")
                                            && x.contains(" le=")
                                            && x.contains("unit=" + unit)),
                            "histogram buckets with le of " + unit);
                    assertTrue(
                            side.stream()
                                    .anyMatch(x -> x.startsWith("{__name__=sensor_request_duration_seconds_count,")
                                            && x.contains("unit=" + unit)),
                            "histogram count of " + unit);
                    assertTrue(
                            side.stream()
                                    .anyMatch(x -> x.startsWith("{__name__=sensor_requests_total,")
                                            && x.contains("failed=yes")
                                            && x.contains("status=500")
                                            && x.contains("unit=" + unit)),
                            "counter relabelled with failed=yes on " + unit);
                    assertTrue(
                            side.stream()
                                    .anyMatch(x -> x.startsWith("{__name__=sensor_requests_total,")
                                            && x.contains("status=200")
                                            && !x.contains("failed=")
                                            && x.contains("unit=" + unit)),
                            "counter of 200s on " + unit);
                    assertEquals(
                            40,
                            side.stream()
                                    .filter(x -> x.startsWith("{__name__=sensor_synthetic_value,")
                                            && x.contains("unit=" + unit))
                                    .count(),
                            "50 synthetic gauges minus the 10 dropped on " + unit);
                }
                assertTrue(
                        side.stream().noneMatch(x -> x.contains("sensor_cpu_spike_duration_seconds_bucket")),
                        "the dropped histogram's buckets");
                assertTrue(
                        side.stream().anyMatch(x -> x.startsWith("{__name__=sensor_cpu_spike_duration_seconds_sum,")),
                        "the dropped histogram keeps its _sum");
                assertTrue(
                        side.stream()
                                .anyMatch(x -> x.startsWith("{__name__=sensor_temperature_celsius,")
                                        && x.contains("part_or=battery")
                                        && x.contains("sensor=battery")),
                        "labelmap copied sensor to part_or");
                assertTrue(
                        side.stream()
                                .filter(x -> x.startsWith("{__name__=up,"))
                                .allMatch(x -> x.contains("fleet=alpha")
                                        && x.contains("robot=r1")
                                        && x.contains("site=lab")
                                        && x.contains("job=sensors")),
                        "external and -remoteWrite.label labels on up");
                assertEquals(
                        2,
                        side.stream().filter(x -> x.startsWith("{__name__=up,")).count(),
                        "one up per target");
            }
            assertTrue(fromVmagent.size() > 100, "vmagent stored a meaningful set: " + fromVmagent.size());
            assertEquals(Set.of(), onlyVmagent, "series only vmagent stored");
            assertEquals(Set.of(), onlyEdge, "series only edge-agent stored");
            System.out.println("side by side on sensors: " + fromEdge.size() + " identical series in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
    }

    /** Waits until {@code targets} {@code up} series each hold at least {@code n} samples. */
    private static void awaitScrapes(VictoriaMetrics vm, int targets, int n, ChildProcess agent) throws IOException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            agent.assertAlive();
            String body = vm.get("/api/v1/export?match[]=" + URLEncoder.encode("up", StandardCharsets.UTF_8));
            Matcher m = Pattern.compile("\"values\":\\[([^\\]]*)\\]").matcher(body);
            int ready = 0;
            while (m.find()) {
                if (m.group(1).split(",").length >= n) {
                    ready++;
                }
            }
            if (ready >= targets) {
                return;
            }
            ChildProcess.pause(250);
        }
        throw new IOException("fewer than " + n + " scrapes of " + targets + " targets stored on port " + vm.port
                + "; agent log:\n" + agent.logText());
    }

    private static final Pattern OBJECT =
            Pattern.compile("\\{(\"(?:[^\"\\\\]|\\\\.)*\":\"(?:[^\"\\\\]|\\\\.)*\",?)*\\}");
    private static final Pattern PAIR = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Every series in an /api/v1/series answer as its sorted labels, {@code {a=1, b=2}}. */
    /** Every stored series over all time as its sorted labels, after a flush. */
    private static Set<String> series(VictoriaMetrics vm) throws IOException {
        vm.flush();
        return parseSeries(vm.get(
                "/api/v1/series?start=0&match[]=" + URLEncoder.encode("{__name__!=\"\"}", StandardCharsets.UTF_8)));
    }

    static Set<String> parseSeries(String body) {
        Set<String> out = new TreeSet<>();
        int data = body.indexOf("\"data\"");
        if (data < 0) {
            throw new IllegalStateException("not a series answer: " + body);
        }
        Matcher m = OBJECT.matcher(body.substring(data));
        while (m.find()) {
            Map<String, String> labels = new TreeMap<>();
            Matcher p = PAIR.matcher(m.group());
            while (p.find()) {
                labels.put(p.group(1), p.group(2));
            }
            out.add(labels.toString());
        }
        return out;
    }
}
