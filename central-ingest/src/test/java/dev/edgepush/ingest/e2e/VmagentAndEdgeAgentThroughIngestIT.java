package dev.edgepush.ingest.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.testsupport.ChildJvm;
import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.CountingTarget;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.VictoriaMetrics;
import dev.edgepush.testsupport.Vmagent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's whole path with real processes only: the real vmagent (Debian's {@code vmagent}) and
 * edge-agent (its shaded jar, as shipped) each scrape a counting target and push through
 * central-ingest (a child JVM) into a real VictoriaMetrics, each with its own robot token and a
 * spoofed {@code robot} label. Then the storage stops, central-ingest is {@code kill -9}'d and
 * restarted on the same WAL, the storage comes back.
 *
 * <p>The promise: every scrape either target answered is stored, under the robot name its token
 * decides, and nothing else wears that robot's label. Nothing is excused: vmagent loses its
 * in-memory blocks only when vmagent itself dies, and here only central-ingest is killed.
 */
@Timeout(
        value = 10,
        unit = java.util.concurrent.TimeUnit.MINUTES) // a guard against a hang, generous for a loaded machine
class VmagentAndEdgeAgentThroughIngestIT {
    private static final String VMAGENT_TOKEN = "T1-vmagent-secret";
    private static final String EDGE_TOKEN = "T2-edge-secret";
    private static final String VMAGENT_ROBOT = "r-vmagent";
    private static final String EDGE_ROBOT = "r-edge";
    /** Both agents send whatever the storage outage and the restart left behind within this. */
    private static final Duration CONVERGE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void everyAnsweredScrapeArrivesWithItsTokensRobotLabelAcrossStorageOutageAndIngestKill9() throws Exception {
        Path edgeJar = Path.of("..", "edge-agent", "target", "edge-agent.jar")
                .toAbsolutePath()
                .normalize();
        assertTrue(
                Files.isRegularFile(edgeJar),
                edgeJar + " is missing: it is built in edge-agent's package phase"
                        + " (`./mvnw -B verify`, or `./mvnw -B -q -DskipTests -pl edge-agent -am package` first)");
        Path tokens = dir.resolve("tokens");
        Files.writeString(
                tokens,
                "robot " + VMAGENT_ROBOT + " 0 " + TokensFile.hashOf(VMAGENT_TOKEN) + "\n" + "robot " + EDGE_ROBOT
                        + " 0 " + TokensFile.hashOf(EDGE_TOKEN) + "\n");
        int ingestPort = Loopback.freePort();
        String ingestUrl = "http://127.0.0.1:" + ingestPort + "/api/v1/write";

        try (CountingTarget forVmagent = new CountingTarget();
                CountingTarget forEdge = new CountingTarget();
                VictoriaMetrics vm = new VictoriaMetrics(Files.createDirectories(dir.resolve("vm")))) {
            List<String> ingestCommand = ingestCommand(ingestPort, vm.writeUrl(), tokens);
            ChildProcess ingest = ChildProcess.start("central-ingest", ingestPort, dir, ingestCommand);
            try (ChildProcess vmagent = Vmagent.start(
                            dir,
                            List.of(
                                    "-promscrape.config=" + scrapeConfig("via-vmagent", forVmagent),
                                    "-remoteWrite.url=" + ingestUrl,
                                    "-remoteWrite.bearerToken=" + VMAGENT_TOKEN,
                                    "-remoteWrite.label=robot=spoofed",
                                    "-remoteWrite.tmpDataPath=" + dir.resolve("vmagent-data"),
                                    "-loggerLevel=WARN"));
                    ChildProcess edge = startEdgeAgent(edgeJar, ingestUrl, forEdge)) {
                await(
                        () -> !storedSeq(vm, VMAGENT_ROBOT).isEmpty()
                                && !storedSeq(vm, EDGE_ROBOT).isEmpty(),
                        "both robots' first scrapes stored",
                        vmagent,
                        edge);
                ChildProcess.pause(3000); // scrapes while everything is up

                vm.stop();
                ChildProcess.pause(3000); // central-ingest answers 204 from its WAL
                // Counted, not timed: on a loaded machine the agents may not have pushed yet.
                ChildProcess ingestNow = ingest;
                await(
                        () -> walPendingSamples(ingestNow) > 0,
                        "pushes held in central-ingest's WAL while storage is down",
                        vmagent,
                        edge);
                ingest.kill9();
                ChildProcess.pause(1000); // both agents meet a refused connection and back off
                ingest = ChildProcess.start("central-ingest", ingestPort, dir, ingestCommand);
                long reopened = walPendingSamples(ingest);
                assertTrue(reopened > 0, "the killed ingest's WAL backlog is reopened, not empty: " + reopened);
                ChildProcess.pause(3000); // the restarted ingest takes new pushes, storage still down
                vm.start();
                ChildProcess.pause(2000);
                forVmagent.stopServing();
                forEdge.stopServing();

                await(
                        () -> storedSeq(vm, VMAGENT_ROBOT).containsAll(forVmagent.answeredSeqs())
                                && storedSeq(vm, EDGE_ROBOT).containsAll(forEdge.answeredSeqs()),
                        "every answered scrape stored",
                        vmagent,
                        edge);
                Set<Long> vmagentAnswered = forVmagent.answeredSeqs();
                Set<Long> edgeAnswered = forEdge.answeredSeqs();
                assertEquals(vmagentAnswered, storedSeq(vm, VMAGENT_ROBOT), "vmagent's test_seq: stored vs answered");
                assertEquals(edgeAnswered, storedSeq(vm, EDGE_ROBOT), "edge-agent's test_seq: stored vs answered");
                assertOnlyFrom(vm, VMAGENT_ROBOT, "via-vmagent", forVmagent.address());
                assertOnlyFrom(vm, EDGE_ROBOT, "via-edge-agent", forEdge.address());
                assertEquals(List.of(), vm.export("{__name__=~\".+\",robot=\"\"}"), "series without a robot label");
                assertEquals(
                        "{\"status\":\"success\",\"data\":[\"" + EDGE_ROBOT + "\",\"" + VMAGENT_ROBOT + "\"]}",
                        vm.labelValues("robot").replace(" ", "").trim(),
                        "robot label values (none spoofed)");
                System.out.println("vmagent: answered=" + vmagentAnswered.size() + " stored="
                        + storedSeq(vm, VMAGENT_ROBOT).size() + " lost=0; edge-agent: answered=" + edgeAnswered.size()
                        + " stored=" + storedSeq(vm, EDGE_ROBOT).size()
                        + " lost=0; WAL backlog reopened after kill -9: "
                        + reopened + " samples");
            } finally {
                ingest.close();
            }
        }
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

    private ChildProcess startEdgeAgent(Path jar, String ingestUrl, CountingTarget target) throws IOException {
        int port = Loopback.freePort();
        return ChildProcess.start(
                "edge-agent",
                port,
                dir,
                ChildJvm.jarCommand(
                        List.of("-Xmx64m", "-Dchronicle.analytics.disable=true"),
                        jar,
                        List.of(
                                "-promscrape.config=" + scrapeConfig("via-edge-agent", target),
                                "-remoteWrite.url=" + ingestUrl,
                                "-remoteWrite.bearerToken=" + EDGE_TOKEN,
                                "-remoteWrite.label=robot=spoofed",
                                "-remoteWrite.tmpDataPath=" + dir.resolve("edge-data"),
                                "-httpListenAddr=127.0.0.1:" + port)));
    }

    private Path scrapeConfig(String job, CountingTarget target) throws IOException {
        Path config = dir.resolve(job + ".yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "scrape_configs:",
                        "  - job_name: " + job,
                        "    static_configs:",
                        "      - targets: ['" + target.address() + "']",
                        ""));
        return config;
    }

    private static long walPendingSamples(ChildProcess ingest) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^central_ingest_wal_pending_samples (\\S+)$")
                .matcher(ingest.get("/metrics"));
        assertTrue(m.find(), "central_ingest_wal_pending_samples in /metrics");
        return (long) Double.parseDouble(m.group(1));
    }

    /** The distinct test_seq values stored under {@code robot}. */
    private static Set<Long> storedSeq(VictoriaMetrics vm, String robot) throws IOException {
        Set<Long> out = new TreeSet<>();
        for (VictoriaMetrics.Series s : vm.export("test_seq{robot=\"" + robot + "\"}")) {
            s.values().forEach(v -> out.add(v.longValue()));
        }
        return out;
    }

    /** Every series wearing {@code robot} was scraped by that robot's agent (job) from its target. */
    private static void assertOnlyFrom(VictoriaMetrics vm, String robot, String job, String instance)
            throws IOException {
        List<VictoriaMetrics.Series> all = vm.export("{robot=\"" + robot + "\"}");
        assertTrue(all.size() >= 2, robot + " stored test_seq and up at least: " + all);
        for (VictoriaMetrics.Series s : all) {
            assertEquals(job, s.labels().get("job"), "job of " + s.labels());
            assertEquals(instance, s.labels().get("instance"), "instance of " + s.labels());
        }
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws IOException;
    }

    /** Polls {@code condition}; on time-out fails with the end of each agent's log. */
    private static void await(Condition condition, String what, ChildProcess... agents) throws IOException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (IOException e) {
                // storage restarting: poll again
            }
            ChildProcess.pause(250);
        }
        StringBuilder logs = new StringBuilder();
        for (ChildProcess a : agents) {
            String text = a.logText();
            logs.append("\n--- ")
                    .append(a.name)
                    .append(" log (end) ---\n")
                    .append(text.substring(Math.max(0, text.length() - 3000)));
        }
        throw new AssertionError("not within " + CONVERGE + ": " + what + logs);
    }
}
