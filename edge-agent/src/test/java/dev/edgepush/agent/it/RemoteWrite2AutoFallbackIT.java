package dev.edgepush.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * {@code -remoteWrite.protocol=auto} against real receivers that predate remote write 2.0: the
 * agent (a child JVM) tries 2.0, sees from the answer that the receiver does not take it, sends
 * the same batch as 1.0 and stays on 1.0; every sample arrives exactly once and the agent's
 * {@code edge_agent_remote_write_protocol} says 1.0. The samples come in through the agent's
 * local push, three pushes of {@link #SERIES} series at three timestamps.
 */
@Timeout(
        value = 5,
        unit = java.util.concurrent.TimeUnit.MINUTES) // a guard against a hang, generous for a loaded machine
class RemoteWrite2AutoFallbackIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int SERIES = 100;
    private static final int PUSHES = 3;

    @TempDir
    Path dir;

    /** Pushes the samples; returns their timestamps (recent: Prometheus' head takes only those). */
    private static long[] pushSamples(AgentProcess agent) throws Exception {
        long base = System.currentTimeMillis() / 1000 * 1000 - 60_000;
        long[] ts = new long[PUSHES];
        for (int p = 0; p < PUSHES; p++) {
            ts[p] = base + p * 15_000L;
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < SERIES; i++) {
                body.append("rw2_test{sensor=\"lidar\",idx=\"")
                        .append(i)
                        .append("\"} ")
                        .append(p * 1000 + i)
                        .append(' ')
                        .append(ts[p])
                        .append('\n');
            }
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + agent.statusPort + "/api/v1/import/prometheus"))
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, r.statusCode(), r.body());
        }
        return ts;
    }

    /** Waits (bounded) until the agent acknowledged every pushed sample. */
    private static void awaitAllSent(AgentProcess agent) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (agent.metric("edge_agent_samples_sent_total") >= SERIES * PUSHES
                    && agent.metric("edge_agent_buffer_pending_samples") == 0) {
                return;
            }
            AgentProcess.pause(100);
        }
        throw new AssertionError(
                "not all samples acknowledged within 120 s:\n" + agent.get("/metrics") + agent.logText());
    }

    /**
     * What the receiver answered to the 2.0 request, as the agent's fallback line names it: both
     * receivers decode the 2.0 body as a 1.0 WriteRequest with nothing in it (2.0's fields are
     * unknown to 1.0) and answer 204, without the 2.0 Samples-Written header.
     */
    private static void assertFellBackOn204WithoutSamplesWritten(AgentProcess agent) throws IOException {
        String log = agent.logText();
        assertTrue(
                log.contains(
                        "does not take remote write 2.0 (HTTP 204 without X-Prometheus-Remote-Write-Samples-Written)"),
                log);
    }

    private static void assertEndedOn10(AgentProcess agent) throws IOException {
        assertFellBackOn204WithoutSamplesWritten(agent);
        assertEquals(1, agent.metric("edge_agent_remote_write_protocol{protocol=\"1.0\"}"), agent.logText());
        assertEquals(0, agent.metric("edge_agent_remote_write_protocol{protocol=\"2.0\"}"));
        assertEquals(SERIES * PUSHES, agent.metric("edge_agent_samples_sent_total"), "counted once");
        assertEquals(0, agent.metric("edge_agent_samples_dropped_total{reason=\"rejected\"}"));
    }

    @Test
    void autoFallsBackTo10AgainstVictoriaMetrics1795AndEverySampleArrivesExactlyOnce() throws Exception {
        try (VictoriaMetrics vm = new VictoriaMetrics(Files.createDirectories(dir.resolve("vm")));
                AgentProcess agent = AgentProcess.start(
                        dir,
                        Loopback.freePort(),
                        "-remoteWrite.url=" + vm.writeUrl(),
                        "-remoteWrite.protocol=auto",
                        "-remoteWrite.tmpDataPath=" + dir.resolve("agent-data"),
                        "-remoteWrite.flushInterval=300ms")) {
            assertEquals(1, agent.metric("edge_agent_remote_write_protocol{protocol=\"2.0\"}"), "auto starts with 2.0");
            long[] ts = pushSamples(agent);
            awaitAllSent(agent);
            assertEndedOn10(agent);
            // Every series holds exactly its three samples: none lost, none stored twice.
            vm.get("/internal/force_flush");
            String body = vm.get("/api/v1/export?match[]=" + URLEncoder.encode("rw2_test", StandardCharsets.UTF_8));
            Matcher m = Pattern.compile(
                            "\"idx\":\"(\\d+)\".*?\"values\":\\[([^\\]]*)\\],\"timestamps\":\\[([^\\]]*)\\]")
                    .matcher(body);
            Map<Integer, String> got = new TreeMap<>();
            while (m.find()) {
                assertEquals(
                        null,
                        got.put(Integer.parseInt(m.group(1)), m.group(2) + "@" + m.group(3)),
                        "one series per idx");
            }
            assertEquals(SERIES, got.size(), body);
            for (int i = 0; i < SERIES; i++) {
                assertEquals(
                        i + "," + (1000 + i) + "," + (2000 + i) + "@" + ts[0] + "," + ts[1] + "," + ts[2],
                        got.get(i),
                        "series idx=" + i);
            }
        }
    }

    @Test
    void autoEndsOn10AgainstPrometheus242WithEverySampleStored() throws Exception {
        try (Prometheus prom = new Prometheus(Files.createDirectories(dir.resolve("prom")));
                AgentProcess agent = AgentProcess.start(
                        dir,
                        Loopback.freePort(),
                        "-remoteWrite.url=" + prom.writeUrl(),
                        "-remoteWrite.protocol=auto",
                        "-remoteWrite.tmpDataPath=" + dir.resolve("agent-data"),
                        "-remoteWrite.flushInterval=300ms")) {
            long[] ts = pushSamples(agent);
            awaitAllSent(agent);
            assertEndedOn10(agent);
            // The range vector at the last timestamp holds every sample of every series.
            String body = prom.get("/api/v1/query?query=" + URLEncoder.encode("rw2_test[5m]", StandardCharsets.UTF_8)
                    + "&time=" + (ts[PUSHES - 1] / 1000.0));
            Matcher m = Pattern.compile("\"idx\":\"(\\d+)\"[^}]*\\},\"values\":\\[(.*?)\\]\\]")
                    .matcher(body);
            Map<Integer, String> got = new TreeMap<>();
            while (m.find()) {
                got.put(
                        Integer.parseInt(m.group(1)),
                        m.group(2).replace("\"", "").replace("[", "").replace("]", ""));
            }
            assertEquals(SERIES, got.size(), body);
            for (int i = 0; i < SERIES; i++) {
                String expected = String.join(
                        ",",
                        List.of(
                                secs(ts[0]),
                                Integer.toString(i),
                                secs(ts[1]),
                                Integer.toString(1000 + i),
                                secs(ts[2]),
                                Integer.toString(2000 + i)));
                assertEquals(expected, got.get(i), "series idx=" + i);
            }
        }
    }

    private static String secs(long ms) {
        return Long.toString(ms / 1000);
    }

    /** Debian's Prometheus 2.42 as a remote-write receiver on a free loopback port and a temporary TSDB. */
    static final class Prometheus implements AutoCloseable {
        final int port;
        private final ChildProcess child;

        Prometheus(Path dir) throws IOException {
            port = Loopback.freePort();
            Path config = Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 1m\n");
            child = ChildProcess.builder(
                            "prometheus",
                            port,
                            List.of(
                                    "prometheus",
                                    "--config.file=" + config,
                                    "--storage.tsdb.path=" + dir.resolve("tsdb"),
                                    "--web.listen-address=127.0.0.1:" + port,
                                    "--web.enable-remote-write-receiver",
                                    "--log.level=warn"))
                    .log(dir.resolve("prometheus.log"))
                    .stopGrace(Duration.ofSeconds(20))
                    .probe(() -> get("/-/ready").contains("Ready"))
                    .build();
            child.restart(); // up once /-/ready says Ready
        }

        String writeUrl() {
            return "http://127.0.0.1:" + port + "/api/v1/write";
        }

        String get(String pathAndQuery) throws IOException {
            return child.get(pathAndQuery);
        }

        @Override
        public void close() {
            child.close();
        }
    }
}
