package dev.edgepush.ingest.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.send.PushOutcome;
import dev.edgepush.forward.send.RemoteWriteClient;
import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.VictoriaMetrics;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * The promise of the central side, against a real VictoriaMetrics: a robot pushes as edge-agent
 * does (its RemoteWriteClient, with a bearer token and a spoofed robot label); the data arrives
 * with the token's robot label. Then VictoriaMetrics stops, pushes still get 204 (the WAL holds
 * them), central-ingest is killed with kill -9 and restarted, VictoriaMetrics comes back: every
 * acknowledged sample arrives.
 */
class DeliveryThroughVictoriaMetricsOutageAndKill9IT {
    private static final String TOKEN = "r17-secret";
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedSampleArrivesAcrossAnOutageAndKill9() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "robot r17 0 " + TokensFile.hashOf(TOKEN) + "\n");
        int port = Loopback.freePort();
        try (VictoriaMetrics vm = new VictoriaMetrics(dir)) {
            String[] flags = {
                "-remoteWrite.url=" + vm.writeUrl(), "-auth.tokensFile=" + tokens, "-wal.path=" + dir.resolve("wal")
            };
            IngestProcess ingest = IngestProcess.start(dir, port, flags);
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            try (RemoteWriteClient robot = new RemoteWriteClient(
                    group,
                    "http://127.0.0.1:" + port + "/api/v1/write",
                    TOKEN,
                    Duration.ofSeconds(10),
                    "edge-agent/test",
                    () -> Map.of("X-Edgepush-Pending-Samples", "0"))) {
                long t0 = System.currentTimeMillis() - 60_000;
                int acked = 0;
                for (int i = 0; i < 20; i++) {
                    acked += push(robot, t0, i);
                }
                final int online = acked;
                awaitTrue(() -> distinct(vm) == online, () -> "before the outage VM has " + distinct(vm));
                assertEquals(List.of(), spoofed(vm), "the sender's robot label must be replaced");

                vm.stop();
                for (int i = 20; i < 40; i++) {
                    acked += push(robot, t0, i); // 204 from the WAL while VM is down
                }
                ingest.kill9();
                ingest = IngestProcess.start(dir, port, flags);
                for (int i = 40; i < 50; i++) {
                    acked += push(robot, t0, i);
                }
                vm.start();
                final int all = acked;
                // Distinct values: a batch re-sent after kill -9 (at-least-once) may be stored twice.
                awaitTrue(() -> distinct(vm) == all, () -> "after restart VM has " + distinct(vm) + " of " + all);
                TreeSet<Double> stored = new TreeSet<>(values(vm));
                for (int i = 0; i < 50; i++) {
                    assertTrue(stored.contains((double) i), "sample " + i + " missing: " + stored);
                }
                System.out.println("acked=" + all + " stored=" + stored.size() + " lost=" + (all - stored.size()));
                assertTrue(ingest.get("/metrics").contains("central_ingest_robots_online 1"));
            } finally {
                ingest.close();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    /**
     * One push of one sample {@code value=i}; returns 1 once it is acknowledged (204). A network
     * error (the pooled connection of a killed ingest) is retried, as the agent's sender does.
     */
    private static int push(RemoteWriteClient robot, long t0, int i) {
        WriteRequestEncoder enc = new WriteRequestEncoder();
        enc.addSeries(
                new String[] {"__name__", "robot_temp_celsius", "robot", "spoofed", "sensor", "a"},
                3,
                i,
                t0 + i * 1000L);
        byte[] body;
        try {
            body = Snappy.compress(Arrays.copyOf(enc.array(), enc.size()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        PushOutcome outcome = robot.pushCompressed(body, 0, body.length);
        for (int attempt = 0; attempt < 5 && outcome instanceof PushOutcome.Retry r && r.code() == 0; attempt++) {
            outcome = robot.pushCompressed(body, 0, body.length);
        }
        assertInstanceOf(PushOutcome.Delivered.class, outcome, "push " + i + ": " + outcome);
        assertEquals(204, ((PushOutcome.Delivered) outcome).code());
        return 1;
    }

    private static List<Double> values(VictoriaMetrics vm) {
        try {
            return vm.exportValues("robot_temp_celsius{robot=\"r17\",sensor=\"a\"}");
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static int distinct(VictoriaMetrics vm) {
        return new TreeSet<>(values(vm)).size();
    }

    private static List<Double> spoofed(VictoriaMetrics vm) throws java.io.IOException {
        return vm.exportValues("robot_temp_celsius{robot=\"spoofed\"}");
    }

    private static void awaitTrue(Supplier<Boolean> condition, Supplier<String> message) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            IngestProcess.pause(200);
        }
        throw new AssertionError(message.get());
    }
}
