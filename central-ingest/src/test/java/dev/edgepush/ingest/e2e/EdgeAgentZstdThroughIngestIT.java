package dev.edgepush.ingest.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.testsupport.ChildJvm;
import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * edge-agent (its shaded jar) with the default {@code -remoteWrite.compression=auto} and two URLs:
 * central-ingest (a child JVM), which lists zstd in its answers, and a real VictoriaMetrics
 * directly, which does not. The first batch goes to both as Snappy; from then on central-ingest gets
 * zstd (its own metrics count zstd bodies) and VictoriaMetrics keeps Snappy. Every sample is stored
 * once through each path, and the agent's {@code edge_agent_remote_write_compression} says zstd for
 * the one and Snappy for the other. Run with remote write 1.0 and 2.0 to central-ingest (1.0 to
 * VictoriaMetrics 1.79, which has no 2.0).
 */
@Timeout(
        value = 5,
        unit = java.util.concurrent.TimeUnit.MINUTES) // a guard against a hang, generous for a loaded machine
class EdgeAgentZstdThroughIngestIT {
    private static final String TOKEN = "T-zstd-secret";
    private static final String ROBOT = "r-zstd";
    private static final int SERIES = 100;
    private static final int PUSHES = 3;
    private static final Duration CONVERGE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "remote write {0}")
    @ValueSource(strings = {"1.0", "2.0"})
    void zstdIsNegotiatedWithCentralIngestOnlyAndEverySampleIsStoredOnce(String protocol) throws Exception {
        Path edgeJar = Path.of("..", "edge-agent", "target", "edge-agent.jar")
                .toAbsolutePath()
                .normalize();
        assertTrue(
                Files.isRegularFile(edgeJar),
                edgeJar + " is missing: it is built in edge-agent's package phase"
                        + " (`./mvnw -B verify`, or `./mvnw -B -q -DskipTests -pl edge-agent -am package` first)");
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "robot " + ROBOT + " 0 " + TokensFile.hashOf(TOKEN) + "\n");
        int ingestPort = Loopback.freePort();
        try (VictoriaMetrics vm = new VictoriaMetrics(Files.createDirectories(dir.resolve("vm")));
                ChildProcess ingest = ChildProcess.start(
                        "central-ingest", ingestPort, dir, ingestCommand(ingestPort, vm.writeUrl(), tokens))) {
            int agentPort = Loopback.freePort();
            String ingestUrl = "http://127.0.0.1:" + ingestPort + "/api/v1/write";
            try (ChildProcess agent = ChildProcess.start(
                    "edge-agent",
                    agentPort,
                    dir,
                    ChildJvm.jarCommand(
                            List.of("-Xmx64m", "-Dchronicle.analytics.disable=true"),
                            edgeJar,
                            List.of(
                                    "-remoteWrite.url=" + ingestUrl,
                                    "-remoteWrite.bearerToken=" + TOKEN,
                                    "-remoteWrite.url=" + vm.writeUrl(),
                                    "-remoteWrite.bearerToken=",
                                    // VictoriaMetrics 1.79 takes 1.0 only
                                    "-remoteWrite.protocol=" + protocol,
                                    "-remoteWrite.protocol=1.0",
                                    "-remoteWrite.tmpDataPath=" + dir.resolve("edge-data"),
                                    "-remoteWrite.flushInterval=500ms",
                                    "-httpListenAddr=127.0.0.1:" + agentPort)))) {
                String toIngest = "{url=\"1:" + ingestUrl + "\",encoding=";
                String toVm = "{url=\"2:" + vm.writeUrl() + "\",encoding=";
                assertEquals(
                        1,
                        metric(agent, "edge_agent_remote_write_compression" + toIngest + "\"snappy\"}"),
                        "Snappy until central-ingest said it takes zstd");
                long base = System.currentTimeMillis() / 1000 * 1000 - 60_000;
                for (int p = 0; p < PUSHES; p++) {
                    StringBuilder body = new StringBuilder();
                    for (int i = 0; i < SERIES; i++) {
                        body.append("zstd_test{idx=\"")
                                .append(i)
                                .append("\"} ")
                                .append(p * 1000 + i)
                                .append(' ')
                                .append(base + p * 15_000L)
                                .append('\n');
                    }
                    HttpResponse<String> r = ChildProcess.HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + agentPort + "/api/v1/import/prometheus"))
                                    .timeout(Duration.ofSeconds(30))
                                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(204, r.statusCode(), r.body());
                    int sent = (p + 1) * SERIES;
                    // each push its own batch: the first as Snappy, the next ones as zstd
                    await(
                            () -> metric(agent, "edge_agent_samples_sent_total{url=\"1:" + ingestUrl + "\"}") >= sent
                                    && metric(agent, "edge_agent_samples_sent_total{url=\"2:" + vm.writeUrl() + "\"}")
                                            >= sent,
                            "push " + p + " delivered to both",
                            agent);
                }
                await(
                        () -> storedValues(vm, true) >= SERIES * PUSHES && storedValues(vm, false) >= SERIES * PUSHES,
                        "every sample in VictoriaMetrics, through central-ingest and directly",
                        agent);

                for (boolean viaIngest : new boolean[] {true, false}) {
                    Map<String, List<Double>> stored = new TreeMap<>();
                    for (VictoriaMetrics.Series s : vm.export("zstd_test")) {
                        if (s.labels().containsKey("robot") == viaIngest) {
                            assertEquals(null, stored.put(s.labels().get("idx"), s.values()), "one series per idx");
                        }
                    }
                    assertEquals(SERIES, stored.size());
                    for (int i = 0; i < SERIES; i++) {
                        assertEquals(
                                List.of((double) i, 1000.0 + i, 2000.0 + i),
                                stored.get(Integer.toString(i)),
                                (viaIngest ? "via central-ingest" : "direct") + ", idx=" + i
                                        + ": each sample stored once, in order");
                    }
                }
                assertEquals(1, metric(agent, "edge_agent_remote_write_compression" + toIngest + "\"zstd\"}"));
                assertEquals(0, metric(agent, "edge_agent_remote_write_compression" + toIngest + "\"snappy\"}"));
                assertEquals(
                        1,
                        metric(agent, "edge_agent_remote_write_compression" + toVm + "\"snappy\"}"),
                        "VictoriaMetrics never lists zstd: Snappy only");
                assertEquals(0, metric(agent, "edge_agent_remote_write_compression" + toVm + "\"zstd\"}"));
                assertEquals(
                        1,
                        metric(ingest, "central_ingest_write_requests_by_encoding_total{encoding=\"snappy\"}"),
                        "the first batch");
                assertEquals(
                        PUSHES - 1,
                        metric(ingest, "central_ingest_write_requests_by_encoding_total{encoding=\"zstd\"}"),
                        "every later batch");
                assertEquals(
                        SERIES * PUSHES, metric(ingest, "central_ingest_samples_received_total"), "each sample once");
                assertTrue(agent.logText().contains("takes zstd; sending zstd"), agent.logText());
                System.out.printf(
                        "remote write %s: agent RSS %.1f MiB after delivering with zstd%n",
                        protocol, metric(agent, "process_resident_memory_bytes") / (1 << 20));
            }
        }
    }

    private static int storedValues(VictoriaMetrics vm, boolean viaIngest) throws IOException {
        int n = 0;
        for (VictoriaMetrics.Series s : vm.export("zstd_test")) {
            if (s.labels().containsKey("robot") == viaIngest) {
                n += s.values().size();
            }
        }
        return n;
    }

    private static double metric(ChildProcess p, String name) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(p.get("/metrics"));
        if (!m.find()) {
            throw new AssertionError("no " + name + " in /metrics");
        }
        return Double.parseDouble(m.group(1));
    }

    private List<String> ingestCommand(int port, String vmWriteUrl, Path tokens) {
        List<String> cmd = ChildJvm.command(
                List.of("-Xmx128m"),
                "dev.edgepush.ingest.Main",
                List.of(
                        "-httpListenAddr=127.0.0.1:" + port,
                        "-remoteWrite.url=" + vmWriteUrl,
                        "-auth.tokensFile=" + tokens,
                        "-wal.path=" + dir.resolve("ingest-wal")));
        return cmd;
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws IOException;
    }

    /** Polls {@code condition} up to {@link #CONVERGE}; on time-out fails with the end of the agent's log. */
    private static void await(Condition condition, String what, ChildProcess agent) throws IOException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (IOException | AssertionError e) {
                // not there yet
            }
            ChildProcess.pause(250);
        }
        String text = agent.logText();
        throw new AssertionError("not within " + CONVERGE + ": " + what + "\n--- agent log (end) ---\n"
                + text.substring(Math.max(0, text.length() - 3000)));
    }
}
