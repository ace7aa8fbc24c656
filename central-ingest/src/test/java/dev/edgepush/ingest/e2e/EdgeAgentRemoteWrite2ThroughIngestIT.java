package dev.edgepush.ingest.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * edge-agent (its shaded jar) with {@code -remoteWrite.protocol=2.0} pushes through central-ingest (a
 * child JVM, which takes 2.0 and answers Samples-Written) into a real VictoriaMetrics: every
 * sample is stored once, under the token's robot, and the agent's {@code
 * edge_agent_remote_write_protocol} says 2.0. The samples come in through the agent's local push:
 * three pushes of {@link #SERIES} series, so a batch holds a series more than once and the 2.0
 * encoding groups it.
 */
@Timeout(
        value = 5,
        unit = java.util.concurrent.TimeUnit.MINUTES) // a guard against a hang, generous for a loaded machine
class EdgeAgentRemoteWrite2ThroughIngestIT {
    private static final String TOKEN = "T-rw2-secret";
    private static final String ROBOT = "r-rw2";
    private static final int SERIES = 100;
    private static final int PUSHES = 3;
    private static final Duration CONVERGE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void everySampleSentAs20IsStoredOnceAndTheAgentSaysItSpeaks20() throws Exception {
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
            try (ChildProcess agent = ChildProcess.start(
                    "edge-agent",
                    agentPort,
                    dir,
                    ChildJvm.jarCommand(
                            List.of("-Xmx64m", "-Dchronicle.analytics.disable=true"),
                            edgeJar,
                            List.of(
                                    "-remoteWrite.url=http://127.0.0.1:" + ingestPort + "/api/v1/write",
                                    "-remoteWrite.bearerToken=" + TOKEN,
                                    "-remoteWrite.protocol=2.0",
                                    "-remoteWrite.tmpDataPath=" + dir.resolve("edge-data"),
                                    "-remoteWrite.flushInterval=500ms",
                                    "-httpListenAddr=127.0.0.1:" + agentPort)))) {
                long base = System.currentTimeMillis() / 1000 * 1000 - 60_000;
                for (int p = 0; p < PUSHES; p++) {
                    StringBuilder body = new StringBuilder();
                    for (int i = 0; i < SERIES; i++) {
                        body.append("rw2_test{idx=\"")
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
                }
                await(
                        () -> metric(agent, "edge_agent_samples_sent_total") >= SERIES * PUSHES
                                && metric(agent, "edge_agent_buffer_pending_samples") == 0,
                        "the agent's acknowledgements",
                        agent);
                await(() -> storedValues(vm) >= SERIES * PUSHES, "every sample in VictoriaMetrics", agent);

                Map<String, List<Double>> stored = new TreeMap<>();
                for (VictoriaMetrics.Series s : vm.export("rw2_test")) {
                    assertEquals(ROBOT, s.labels().get("robot"), "the ingest stamps the token's robot: " + s.labels());
                    assertEquals(null, stored.put(s.labels().get("idx"), s.values()), "one series per idx");
                }
                assertEquals(SERIES, stored.size());
                for (int i = 0; i < SERIES; i++) {
                    assertEquals(
                            List.of((double) i, 1000.0 + i, 2000.0 + i),
                            stored.get(Integer.toString(i)),
                            "idx=" + i + ": each sample stored once, in order");
                }
                assertEquals(1, metric(agent, "edge_agent_remote_write_protocol{protocol=\"2.0\"}"));
                assertEquals(0, metric(agent, "edge_agent_remote_write_protocol{protocol=\"1.0\"}"));
                assertEquals(SERIES * PUSHES, metric(agent, "edge_agent_samples_sent_total"), "counted once");
                assertEquals(
                        SERIES * PUSHES,
                        metric(ingest, "central_ingest_samples_received_total"),
                        "the ingest decoded every 2.0 sample, each once");
                assertFalse(agent.logText().contains("does not take remote write 2.0"), agent.logText());
            }
        }
    }

    private int storedValues(VictoriaMetrics vm) throws IOException {
        int n = 0;
        for (VictoriaMetrics.Series s : vm.export("rw2_test")) {
            n += s.values().size();
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
