package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.NodeExporter;
import dev.edgepush.testsupport.VictoriaMetrics;
import dev.edgepush.testsupport.Vmagent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real vmagent (Debian's victoria-metrics package) and edge-agent run at the same time with
 * the same flags and scrape config against the same targets, each pushing to its own real
 * VictoriaMetrics. The stored series sets (every label of every series) must be identical, and
 * so must the stored values of the static exposition.
 */
class SideBySideWithVmagentIT {
    /** Corners of the text format: escapes, clashing labels, NaN, infinities, UTF-8, empty values. */
    static final String CORNERS = String.join(
            "\n",
            "# HELP corner_a A counter with escapes: \\\\ and \\n.",
            "# TYPE corner_a counter",
            "corner_a{path=\"C:\\\\dir\",quote=\"say \\\"hi\\\"\",nl=\"a\\nb\"} 3",
            "corner_b{job=\"inner\",instance=\"x:1\",} 1",
            "corner_nan NaN",
            "corner_inf{sign=\"pos\"} +Inf",
            "corner_inf{sign=\"neg\"} -Inf",
            "corner_utf8{v=\"température ✓\"} 1.5e-3",
            "corner_empty{a=\"\"} 7",
            "corner_tiny 4.9e-324",
            "corner_big -1.7976931348623157e+308",
            "corner_hist_bucket{le=\"0.1\"} 1",
            "corner_hist_bucket{le=\"+Inf\"} 2",
            "corner_hist_sum 0.3",
            "corner_hist_count 2",
            "corner_summary{quantile=\"0.5\"} 0.25",
            "");

    @TempDir
    Path dir;

    @Test
    void vmagentAndEdgeAgentStoreTheSameSeriesAndValues() throws Exception {
        HttpServer corners = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Set<String> queries = java.util.concurrent.ConcurrentHashMap.newKeySet();
        corners.createContext("/metrics", ex -> {
            if (ex.getRequestURI().getRawQuery() != null) {
                String ua = String.valueOf(ex.getRequestHeaders().getFirst("User-Agent"));
                queries.add((ua.startsWith("edge-agent") ? "edge-agent " : "vmagent ")
                        + ex.getRequestURI().getRawQuery());
            }
            byte[] b = CORNERS.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        });
        corners.start();
        int downPort = Loopback.freePort();
        ChildProcess ne = NodeExporter.start(
                dir,
                List.of(
                        "--collector.disable-defaults",
                        "--collector.loadavg",
                        "--collector.meminfo",
                        "--collector.time"));
        int nePort = ne.port;
        ChildProcess vma = null;
        try (VictoriaMetrics forVmagent = new VictoriaMetrics(Files.createDirectories(dir.resolve("vm1")));
                VictoriaMetrics forEdge = new VictoriaMetrics(Files.createDirectories(dir.resolve("vm2")))) {
            Path config = dir.resolve("scrape.yml");
            int cp = corners.getAddress().getPort();
            Files.writeString(
                    dir.resolve("sd-a.json"),
                    "[{\"targets\": [\"127.0.0.1:" + cp + "\"], \"labels\": {\"room\": \"lab\"}}]");
            Files.writeString(dir.resolve("sd-b.yml"), "- targets: ['localhost:" + cp + "']\n  labels: {room: hall}\n");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "global:",
                            "  scrape_interval: 1s",
                            "  external_labels: {site: lab}",
                            "scrape_configs:",
                            "  - job_name: corners",
                            "    static_configs:",
                            "      - targets: ['127.0.0.1:"
                                    + corners.getAddress().getPort() + "']",
                            "        labels: {team: a}",
                            "    metric_relabel_configs:",
                            "      - {action: drop, source_labels: [__name__], regex: corner_summary}",
                            "      - {action: replace, source_labels: [path], regex: '(.*)\\\\(.*)', target_label: leaf, replacement: '$2'}",
                            "      - {action: labeldrop, regex: nl}",
                            "      - {action: labelmap, regex: 'te(a)m', replacement: 'owner_$1'}",
                            "      - {action: hashmod, source_labels: [__name__], modulus: 4, target_label: shard}",
                            "      - {action: uppercase, source_labels: [v], target_label: v_upper}",
                            "      - {action: lowercase, source_labels: [quote], target_label: quote_lower}",
                            "      - {action: labeldrop, regex: site}",
                            "      - {action: replace_all, source_labels: [leaf], regex: 'i', target_label: leaf, replacement: 'I'}",
                            "      - {action: drop, if: 'corner_inf{sign=\"neg\"}'}",
                            "      - {action: keep_if_equal, source_labels: [team, owner_a]}",
                            "  - job_name: corners-honor",
                            "    honor_labels: true",
                            "    static_configs:",
                            "      - targets: ['127.0.0.1:"
                                    + corners.getAddress().getPort() + "']",
                            "  - job_name: node",
                            "    static_configs:",
                            "      - targets: ['127.0.0.1:" + nePort + "']",
                            "    relabel_configs:",
                            "      - {source_labels: [__address__], regex: '(.*):.*', target_label: host}",
                            "      - {target_label: __param_unused, replacement: x}",
                            "    metric_relabel_configs:",
                            "      - {action: keep_metrics, regex: 'node_load.*|node_memory_Mem.*|node_time_seconds'}",
                            "  - job_name: dropped-target",
                            "    static_configs:",
                            "      - targets: ['127.0.0.1:" + downPort + "', '127.0.0.2:" + downPort + "']",
                            "    relabel_configs:",
                            "      - {action: drop, source_labels: [__address__], regex: '127.0.0.2:.*'}",
                            "      - {action: labelmap, regex: '__address__', replacement: 'addr'}",
                            "  - job_name: down",
                            "    static_configs:",
                            "      - targets: ['127.0.0.1:" + downPort + "']",
                            "  - job_name: sd",
                            "    file_sd_configs:",
                            "      - files: ['sd-*.json']",
                            "      - files: [sd-b.yml]",
                            "    relabel_configs:",
                            "      - {source_labels: [__meta_filepath], target_label: sd_file}",
                            "    metric_relabel_configs:",
                            "      - {action: keep, source_labels: [__name__], regex: 'corner_(a|b)'}",
                            "  - job_name: params",
                            "    params: {module: [http_2xx, icmp], 'x y': ['a*b~c']}",
                            "    static_configs:",
                            "      - targets: ['127.0.0.1:" + cp + "']",
                            "    relabel_configs:",
                            "      - {source_labels: [__param_module], target_label: module}",
                            "  - job_name: limited",
                            "    sample_limit: 5",
                            "    static_configs:",
                            "      - targets: ['127.0.0.1:" + cp + "']",
                            ""));
            String[] common = {"-promscrape.config=" + config, "-remoteWrite.label=robot=r1"};
            vma = Vmagent.start(
                    dir,
                    List.of(
                            common[0],
                            common[1],
                            "-remoteWrite.url=" + forVmagent.writeUrl(),
                            "-remoteWrite.tmpDataPath=" + dir.resolve("vmagent-data")));
            try (AgentProcess edge = AgentProcess.start(
                    dir,
                    Loopback.freePort(),
                    common[0],
                    common[1],
                    "-remoteWrite.url=" + forEdge.writeUrl(),
                    "-remoteWrite.tmpDataPath=" + dir.resolve("edge-data"))) {
                awaitScrapes(forVmagent, 4);
                awaitScrapes(forEdge, 4);
                assertTrue(edge.logText().contains("started"));
            }
            Set<String> fromVmagent = series(forVmagent);
            Set<String> fromEdge = series(forEdge);
            assertTrue(fromVmagent.size() > 30, "vmagent stored a meaningful set: " + fromVmagent.size());
            // the relabelling above really ran (on both sides, since the sets are compared below)
            assertTrue(
                    fromEdge.stream().anyMatch(x -> x.contains("shard=") && x.contains("v_upper=TEMPÉRATURE ✓")),
                    fromEdge.toString());
            assertTrue(
                    fromEdge.stream()
                            .filter(x -> x.matches(".*job=corners[,}].*"))
                            .noneMatch(x -> x.contains("corner_summary") || x.contains("nl=")),
                    "drop and labeldrop ran");
            assertTrue(fromEdge.stream().anyMatch(x -> x.contains("job=node") && x.contains("host=127.0.0.1")));
            assertTrue(
                    fromEdge.stream().noneMatch(x -> x.contains("127.0.0.2")), "the dropped target was never scraped");
            assertTrue(
                    fromEdge.stream()
                            .anyMatch(x -> x.contains("instance=localhost:" + cp + ", job=sd")
                                    && x.contains("room=hall")
                                    && x.contains("sd_file=sd-b.yml")),
                    "the YAML file's target");
            assertTrue(
                    fromEdge.stream()
                            .anyMatch(x ->
                                    x.contains("job=sd") && x.contains("sd_file=sd-a.json") && x.contains("room=lab")),
                    "the JSON file's target");
            assertTrue(fromEdge.stream().anyMatch(x -> x.contains("job=params") && x.contains("module=http_2xx")));
            assertTrue(
                    fromEdge.stream().filter(x -> x.contains("job=limited")).noneMatch(x -> x.contains("corner_")),
                    "over sample_limit nothing scraped is stored");
            assertTrue(fromEdge.stream().anyMatch(x -> x.startsWith("{__name__=up,") && x.contains("job=limited")));
            assertEquals(
                    Set.of(
                            "vmagent module=http_2xx&module=icmp&x+y=a%2Ab~c",
                            "edge-agent module=http_2xx&module=icmp&x+y=a%2Ab~c"),
                    queries,
                    "both sent the same params");
            System.out.println("series compared: " + fromEdge.size());
            Set<String> onlyVmagent = new TreeSet<>(fromVmagent);
            onlyVmagent.removeAll(fromEdge);
            Set<String> onlyEdge = new TreeSet<>(fromEdge);
            onlyEdge.removeAll(fromVmagent);
            assertEquals(Set.of(), onlyVmagent, "series only vmagent stored");
            assertEquals(Set.of(), onlyEdge, "series only edge-agent stored");
            assertEquals(values(forVmagent), values(forEdge), "stored values of the static exposition");
        } finally {
            if (vma != null) {
                vma.kill9();
            }
            ne.kill9();
            corners.stop(0);
        }
    }

    /** Waits until every job has at least {@code n} stored {@code up} samples. */
    private static void awaitScrapes(VictoriaMetrics vm, int n) throws IOException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            String body = vm.get("/api/v1/export?match[]=" + URLEncoder.encode("up", StandardCharsets.UTF_8));
            Matcher m = Pattern.compile("\"values\":\\[([^\\]]*)\\]").matcher(body);
            int jobs = 0;
            while (m.find()) {
                if (m.group(1).split(",").length >= n) {
                    jobs++;
                }
            }
            if (jobs >= 9) { // the up series of the 9 targets scraped
                return;
            }
            AgentProcess.pause(250);
        }
        throw new IOException("fewer than " + n + " scrapes of every job stored on port " + vm.port);
    }

    private static final Pattern OBJECT =
            Pattern.compile("\\{(\"(?:[^\"\\\\]|\\\\.)*\":\"(?:[^\"\\\\]|\\\\.)*\",?)*\\}");
    private static final Pattern PAIR = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Every stored series as its sorted labels, from /api/v1/series over all time. */
    private static Set<String> series(VictoriaMetrics vm) throws IOException {
        vm.get("/internal/force_flush");
        String body = vm.get(
                "/api/v1/series?start=0&match[]=" + URLEncoder.encode("{__name__!=\"\"}", StandardCharsets.UTF_8));
        Set<String> out = new TreeSet<>();
        Matcher m = OBJECT.matcher(body.substring(body.indexOf("\"data\"")));
        while (m.find()) {
            out.add(labels(m.group()).toString());
        }
        return out;
    }

    private static Map<String, String> labels(String object) {
        Map<String, String> labels = new TreeMap<>();
        Matcher p = PAIR.matcher(object);
        while (p.find()) {
            labels.put(p.group(1), p.group(2));
        }
        return labels;
    }

    /** Series of the static exposition -> the distinct values stored for it. */
    private static Map<String, Set<String>> values(VictoriaMetrics vm) throws IOException {
        String body = vm.get("/api/v1/export?match[]="
                + URLEncoder.encode("{job=~\"corners.*\",__name__=~\"corner_.*\"}", StandardCharsets.UTF_8));
        Map<String, Set<String>> out = new TreeMap<>();
        Matcher line = Pattern.compile("\\{\"metric\":(\\{[^}]*\\}),\"values\":\\[([^\\]]*)\\]")
                .matcher(body);
        while (line.find()) {
            out.put(
                    labels(line.group(1)).toString(),
                    new TreeSet<>(java.util.Arrays.asList(line.group(2).split(","))));
        }
        assertTrue(out.size() >= 20, "the static exposition was stored: " + out.keySet());
        return out;
    }
}
