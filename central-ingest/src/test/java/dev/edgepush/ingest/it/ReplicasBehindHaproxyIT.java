package dev.edgepush.ingest.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.send.PushOutcome;
import dev.edgepush.forward.send.RemoteWriteClient;
import dev.edgepush.ingest.auth.TokensFile;
import dev.edgepush.proto.WriteRequestEncoder;
import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.Loopback;
import dev.edgepush.testsupport.VictoriaMetrics;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Two central-ingest replicas behind a real load balancer (Debian's haproxy), as a fleet that
 * outgrows one machine runs them: each replica has its own WAL, the balancer picks a replica by a
 * consistent hash of the robot's {@code Authorization} header (so a robot's pushes, its rate limit
 * and its fleet entry stay on one replica) and health-checks {@code /health}. Eight robots push as
 * edge-agent does (a push is retried until acknowledged); the replica with the most robots is
 * killed with kill -9 mid-push; its robots move to the other replica within seconds; it is
 * restarted on its WAL (as a StatefulSet's pod is) and forwards what it had acknowledged. Every
 * acknowledged sample is in VictoriaMetrics, and every robot is in some replica's per-robot
 * metrics, so {@code max by (robot)} over the replicas' metrics is the whole fleet.
 */
class ReplicasBehindHaproxyIT {
    static final int ROBOTS = 8;
    static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    static String haproxy() {
        for (String d : (System.getenv().getOrDefault("PATH", "/usr/bin") + ":/usr/sbin").split(":")) {
            if (Files.isExecutable(Path.of(d, "haproxy"))) {
                return Path.of(d, "haproxy").toString();
            }
        }
        throw new IllegalStateException("haproxy is not installed: run `apt-get install -y haproxy` (.ci/run does)");
    }

    static String token(int r) {
        return "replica-test-robot-" + r;
    }

    @Test
    void aReplicaKilledMidPushLosesNothingAndItsRobotsMoveToTheOther() throws Exception {
        StringBuilder tokens = new StringBuilder();
        for (int r = 0; r < ROBOTS; r++) {
            tokens.append("robot r")
                    .append(r)
                    .append(" 0 ")
                    .append(TokensFile.hashOf(token(r)))
                    .append('\n');
        }
        Files.writeString(dir.resolve("tokens"), tokens);
        int[] ports = {Loopback.freePort(), Loopback.freePort()};
        int lbPort = Loopback.freePort();
        try (VictoriaMetrics vm = new VictoriaMetrics(dir)) {
            IngestProcess[] replicas = {start(vm, 0, ports[0]), start(vm, 1, ports[1])};
            ChildProcess lb = startHaproxy(lbPort, ports);
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger[] acked = new AtomicInteger[ROBOTS];
            List<Thread> pushers = new ArrayList<>();
            List<RemoteWriteClient> clients = new ArrayList<>();
            long t0 = System.currentTimeMillis() - 3_600_000;
            try {
                for (int r = 0; r < ROBOTS; r++) {
                    acked[r] = new AtomicInteger();
                    RemoteWriteClient client = new RemoteWriteClient(
                            group,
                            "http://127.0.0.1:" + lbPort + "/api/v1/write",
                            token(r),
                            Duration.ofSeconds(10),
                            "edge-agent/test",
                            () -> Map.of("X-Edgepush-Pending-Samples", "0"));
                    clients.add(client);
                    AtomicInteger count = acked[r];
                    Thread t = new Thread(() -> pushUntilStopped(client, t0, count, stop), "robot-" + r);
                    t.start();
                    pushers.add(t);
                }
                await(
                        () -> Arrays.stream(acked).allMatch(a -> a.get() >= 10),
                        "every robot's first 10 pushes acknowledged");
                // Sticky: a moment when every robot pushed within the last 3 s to exactly one replica (on a
                // loaded machine a slow /health can make the balancer move robots for a while; it settles).
                List<List<Set<String>>> settled = new ArrayList<>();
                await(
                        () -> {
                            List<Set<String>> now = List.of(recentRobots(replicas[0]), recentRobots(replicas[1]));
                            Set<String> both = new TreeSet<>(now.get(0));
                            both.retainAll(now.get(1));
                            Set<String> any = new TreeSet<>(now.get(0));
                            any.addAll(now.get(1));
                            settled.add(now);
                            return both.isEmpty() && any.size() == ROBOTS;
                        },
                        "every robot pushing to exactly one replica");
                List<Set<String>> homes = settled.get(settled.size() - 1);
                int victim = homes.get(0).size() >= homes.get(1).size() ? 0 : 1;
                int other = 1 - victim;
                Set<String> moved = homes.get(victim);
                System.out.println("replicas: " + homes + "; kill -9 replica " + victim);

                replicas[victim].kill9();
                int[] atKill = Arrays.stream(acked).mapToInt(AtomicInteger::get).toArray();
                await(
                        () -> recentRobots(replicas[other]).containsAll(moved),
                        "replica " + victim + "'s robots " + moved + " pushing to replica " + other);
                await(
                        () -> { // and delivering again: 10 more acknowledged pushes each
                            for (int r = 0; r < ROBOTS; r++) {
                                if (acked[r].get() < atKill[r] + 10) {
                                    return false;
                                }
                            }
                            return true;
                        },
                        "every robot delivering again through replica " + other);
                assertEquals(
                        ROBOTS, robotsOn(replicas[other]).size(), "the surviving replica's metrics list every robot");

                replicas[victim] = start(vm, victim, ports[victim]); // on its WAL: forwards what it had acknowledged
                stop.set(true);
                for (Thread t : pushers) {
                    t.join(60_000);
                    assertFalse(t.isAlive(), t.getName() + " still pushing");
                }
                for (int r = 0; r < ROBOTS; r++) {
                    int want = acked[r].get();
                    String robot = "r" + r;
                    await(
                            () -> distinct(vm, robot).size() == want,
                            robot + ": " + want + " acknowledged samples stored");
                    Set<Double> stored = distinct(vm, robot);
                    for (int i = 0; i < want; i++) {
                        assertTrue(stored.contains((double) i), robot + " sample " + i + " missing");
                    }
                }
                int total = Arrays.stream(acked).mapToInt(AtomicInteger::get).sum();
                System.out.println("replicas behind haproxy: robots=" + ROBOTS + " acked=" + total + " lost=0, replica "
                        + victim + " killed with " + moved.size() + " robots, restarted on its WAL");
                assertTrue(replicas[victim].get("/metrics").contains("central_ingest_samples_forwarded_total"));
            } finally {
                stop.set(true);
                for (RemoteWriteClient c : clients) {
                    c.close();
                }
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                lb.kill();
                for (IngestProcess p : replicas) {
                    p.close();
                }
            }
        }
    }

    private IngestProcess start(VictoriaMetrics vm, int replica, int port) throws IOException {
        return IngestProcess.start(
                dir.resolve("replica-" + replica),
                port,
                "-remoteWrite.url=" + vm.writeUrl(),
                "-auth.tokensFile=" + dir.resolve("tokens"),
                "-wal.path=" + dir.resolve("wal-" + replica));
    }

    private ChildProcess startHaproxy(int lbPort, int[] ports) throws IOException {
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, """
        global
          maxconn 512
        defaults
          mode http
          timeout connect 2s
          timeout client 30s
          timeout server 30s
          retries 2
          option redispatch
        frontend robots
          bind 127.0.0.1:%d
          default_backend central_ingest
        backend central_ingest
          # a robot sticks to one replica (its token hashed), and moves only if that one is down
          balance hdr(Authorization)
          hash-type consistent
          option httpchk GET /health
          http-check expect status 200
          timeout check 5s
          default-server inter 1s fall 3 rise 2
          server replica-0 127.0.0.1:%d check
          server replica-1 127.0.0.1:%d check
        """.formatted(lbPort, ports[0], ports[1]));
        return ChildProcess.builder("haproxy", lbPort, List.of(haproxy(), "-db", "-f", cfg.toString()))
                .log(dir.resolve("haproxy.log"))
                .startTimeout(DEADLINE)
                .probe(() -> {
                    new java.net.Socket("127.0.0.1", lbPort).close();
                    return true;
                })
                .start();
    }

    /** Pushes sample i = 0, 1, ... one at a time, each retried until acknowledged (as the agent's sender). */
    private static void pushUntilStopped(RemoteWriteClient client, long t0, AtomicInteger acked, AtomicBoolean stop) {
        for (int i = 0; !stop.get(); i++) {
            WriteRequestEncoder enc = new WriteRequestEncoder();
            enc.addSeries(new String[] {"__name__", "replica_probe"}, 1, i, t0 + i * 1000L);
            byte[] body;
            try {
                body = Snappy.compress(Arrays.copyOf(enc.array(), enc.size()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!(client.pushCompressed(body, 0, body.length) instanceof PushOutcome.Delivered)) {
                if (System.nanoTime() > deadline) {
                    return; // the test fails on the count
                }
                IngestProcess.pause(100);
            }
            acked.incrementAndGet();
            IngestProcess.pause(50);
        }
    }

    /** Robots in the replica's {@code central_ingest_robot_last_push_timestamp_seconds} (empty if it does not answer). */
    private static Set<String> robotsOn(IngestProcess replica) {
        return robotsOn(replica, Long.MAX_VALUE);
    }

    /** Robots whose last push to the replica was within the last 3 s. */
    private static Set<String> recentRobots(IngestProcess replica) {
        return robotsOn(replica, 3_000);
    }

    private static Set<String> robotsOn(IngestProcess replica, long withinMs) {
        Set<String> out = new TreeSet<>();
        try {
            Matcher m = Pattern.compile(
                            "(?m)^central_ingest_robot_last_push_timestamp_seconds\\{robot=\"([^\"]+)\"[^}]*} (\\S+)$")
                    .matcher(replica.get("/metrics"));
            long now = System.currentTimeMillis();
            while (m.find()) {
                if (now - Double.parseDouble(m.group(2)) * 1000 <= withinMs) {
                    out.add(m.group(1));
                }
            }
        } catch (IOException down) {
            // a killed replica lists nobody
        }
        return out;
    }

    private static Set<Double> distinct(VictoriaMetrics vm, String robot) {
        try {
            return new TreeSet<>(vm.exportValues("replica_probe{robot=\"" + robot + "\"}"));
        } catch (IOException e) {
            return Set.of();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
            }
            IngestProcess.pause(200);
        }
    }
}
