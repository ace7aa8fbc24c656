package dev.edgepush.testbed.alerts;

import dev.edgepush.testbed.FaultProxy;
import dev.edgepush.testbed.SensorServer;
import dev.edgepush.testbed.soak.Http;
import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.ChildProcessBuilder;
import dev.edgepush.testsupport.NodeExporter;
import dev.edgepush.testsupport.Vmagent;
import dev.edgepush.testsupport.Vmalert;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A fleet observed the way deploy/alerts and deploy/dashboards expect, on loopback: a real
 * VictoriaMetrics; a real central-ingest (the packaged jar); per robot a sensor simulator, a fault
 * proxy on its link and a real edge-agent (through its launcher) scraping {@code sensor}, itself
 * ({@code edge-agent}) and the node exporter ({@code node}); a real node exporter; a real vmagent
 * scraping central-ingest ({@code central-ingest}) straight into VictoriaMetrics; and a real
 * vmalert with the given rules, writing recording rules and {@code ALERTS} back and notifying
 * {@code notifierUrl}. Every scrape and evaluation is every 2 s, so a test sees data in seconds.
 */
public final class ObservedFleet implements AutoCloseable {
    /** One robot: its sensor, its link's fault proxy and its agent. */
    public record Robot(String name, SensorServer sensor, FaultProxy link, ChildProcess agent, int agentPort) {}

    private final Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    public final List<Robot> robots = new ArrayList<>();
    private int vmPort;
    private int ingestPort;

    private ObservedFleet(Path dir) {
        this.dir = dir;
    }

    /** Starts everything and waits until each part is healthy; fails naming a missing tool's package. */
    public static ObservedFleet start(Path dir, int robots, Path rules, String notifierUrl) throws Exception {
        return start(dir, robots, rules, notifierUrl, null);
    }

    /**
     * As {@link #start(Path, int, Path, String)}; {@code secondRemoteOfR1}, if not null, is a second
     * {@code -remoteWrite.url} of robot r1 (its metrics still arrive through the first).
     */
    public static ObservedFleet start(Path dir, int robots, Path rules, String notifierUrl, String secondRemoteOfR1)
            throws Exception {
        String vm = Tools.require("victoria-metrics", "victoria-metrics");
        Path repo = Tools.repo();
        Path agentJar = repo.resolve("edge-agent/target/edge-agent.jar");
        Path ingestJar = repo.resolve("central-ingest/target/central-ingest.jar");
        for (Path jar : List.of(agentJar, ingestJar)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " not found: build first (./mvnw -q -DskipTests package)");
            }
        }
        Files.createDirectories(dir.resolve("logs"));
        ObservedFleet f = new ObservedFleet(dir);
        try {
            f.vmPort = Http.freePort();
            f.child(
                    "victoria-metrics",
                    List.of(
                            vm,
                            "-storageDataPath=" + dir.resolve("vm-data"),
                            "-httpListenAddr=127.0.0.1:" + f.vmPort,
                            "-search.latencyOffset=0s",
                            "-loggerLevel=WARN"),
                    f.vmUrl() + "/health",
                    "OK");
            ChildProcess node = NodeExporter.start(
                    dir.resolve("logs"),
                    List.of(
                            "--collector.disable-defaults",
                            "--collector.cpu",
                            "--collector.meminfo",
                            "--collector.loadavg",
                            "--collector.filesystem",
                            "--collector.netdev",
                            "--collector.time"));
            f.toClose.add(node);
            int nodePort = node.port;
            List<String> tokens = f.startIngest(robots, java(), ingestJar);
            Path ingestScrape = dir.resolve("vmagent-scrape.yml");
            Files.writeString(
                    ingestScrape,
                    "global:\n  scrape_interval: 2s\nscrape_configs:\n  - job_name: central-ingest\n"
                            + "    static_configs:\n      - targets: ['127.0.0.1:" + f.ingestPort + "']\n");
            f.toClose.add(Vmagent.start(
                    dir.resolve("logs"),
                    List.of(
                            "-promscrape.config=" + ingestScrape,
                            "-remoteWrite.url=" + f.vmUrl() + "/api/v1/write",
                            "-remoteWrite.tmpDataPath=" + dir.resolve("vmagent-data"),
                            "-loggerLevel=WARN")));
            for (int n = 1; n <= robots; n++) {
                f.robots.add(f.startRobot(
                        n,
                        tokens.get(n - 1),
                        nodePort,
                        agentJar,
                        repo.resolve("edge-agent/bin/edge-agent"),
                        n == 1 ? secondRemoteOfR1 : null));
            }
            int vmalertPort = Http.freePort();
            f.child(
                    Vmalert.builder(
                            vmalertPort,
                            List.of(
                                    "-rule=" + rules,
                                    "-datasource.url=" + f.vmUrl(),
                                    "-remoteWrite.url=" + f.vmUrl(),
                                    "-remoteWrite.flushInterval=1s",
                                    "-notifier.url=" + notifierUrl,
                                    "-evaluationInterval=2s",
                                    "-loggerLevel=WARN")),
                    "vmalert",
                    "http://127.0.0.1:" + vmalertPort + "/health",
                    "OK");
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    private List<String> startIngest(int robots, String java, Path jar) throws IOException {
        SecureRandom random = new SecureRandom();
        StringBuilder file = new StringBuilder("# kind name tenant sha256-of-token\n");
        List<String> plain = new ArrayList<>();
        for (int n = 1; n <= robots; n++) {
            byte[] b = new byte[24];
            random.nextBytes(b);
            String token = HexFormat.of().formatHex(b);
            plain.add(token);
            file.append("robot r")
                    .append(n)
                    .append(" 0 sha256:")
                    .append(sha256(token))
                    .append('\n');
        }
        Files.createDirectories(dir.resolve("ingest"));
        Files.writeString(dir.resolve("ingest/tokens"), file);
        ingestPort = Http.freePort();
        child(
                "central-ingest",
                List.of(
                        java,
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-Dchronicle.analytics.disable=true",
                        "-jar",
                        jar.toString(),
                        "-httpListenAddr=127.0.0.1:" + ingestPort,
                        "-remoteWrite.url=" + vmUrl() + "/api/v1/write",
                        "-auth.tokensFile=" + dir.resolve("ingest/tokens"),
                        "-wal.path=" + dir.resolve("ingest/wal")),
                "http://127.0.0.1:" + ingestPort + "/health",
                "");
        return plain;
    }

    private Robot startRobot(int n, String token, int nodePort, Path agentJar, Path launcher, String secondRemote)
            throws Exception {
        String name = "r" + n;
        Path home = Files.createDirectories(dir.resolve("robots/" + name));
        SensorServer sensor = SensorServer.start("127.0.0.1", 0, 1000 + n, 0);
        toClose.add(sensor);
        FaultProxy link =
                new FaultProxy(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", ingestPort));
        toClose.add(link);
        int port = Http.freePort();
        Files.writeString(home.resolve("token"), token);
        Files.writeString(
                home.resolve("scrape.yml"),
                "global:\n  scrape_interval: 2s\nscrape_configs:\n" + job("sensor", sensor.port())
                        + job("edge-agent", port) + job("node", nodePort));
        List<String> cmd = new ArrayList<>(List.of(
                "env",
                "JAVA_HOME=" + System.getProperty("java.home"),
                "EDGE_AGENT_JAR=" + agentJar,
                launcher.toString(),
                "-httpListenAddr=127.0.0.1:" + port,
                "-promscrape.config=" + home.resolve("scrape.yml"),
                "-remoteWrite.url=http://127.0.0.1:" + link.port() + "/api/v1/write",
                "-remoteWrite.bearerTokenFile=" + home.resolve("token"),
                "-remoteWrite.tmpDataPath=" + home.resolve("buffer"),
                "-remoteWrite.maxDiskUsagePerURL=500MB",
                "-remoteWrite.sendTimeout=5s"));
        if (secondRemote != null) {
            cmd.add("-remoteWrite.url=" + secondRemote);
        }
        ChildProcess agent = child("edge-agent " + name, cmd, "http://127.0.0.1:" + port + "/health", "ok");
        return new Robot(name, sensor, link, agent, port);
    }

    private static String job(String name, int port) {
        return "  - job_name: " + name + "\n    static_configs:\n      - targets: ['127.0.0.1:" + port + "']\n";
    }

    private ChildProcess child(String name, List<String> cmd, String healthUrl, String prefix) throws IOException {
        return child(ChildProcess.builder(name, 0, cmd), name, healthUrl, prefix);
    }

    private ChildProcess child(ChildProcessBuilder b, String name, String healthUrl, String prefix) throws IOException {
        ChildProcess p = b.log(dir.resolve("logs/" + name.replace(' ', '-') + ".log"))
                .probe(() -> {
                    Http.Response r = Http.get(healthUrl, Duration.ofSeconds(2));
                    return r.status() == 200 && r.body().startsWith(prefix);
                })
                .build();
        toClose.add(p);
        p.restart(); // within ChildProcess.START_TIMEOUT: generous, JVM starts on a loaded machine
        return p;
    }

    public String vmUrl() {
        return "http://127.0.0.1:" + vmPort;
    }

    public Path dir() {
        return dir;
    }

    /** VictoriaMetrics' answer to an instant query, as JSON text (fails on a non-200). */
    public String query(String promql) throws IOException {
        Http.Response r = Http.get(
                vmUrl() + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8),
                Duration.ofSeconds(10));
        if (r.status() != 200) {
            throw new IOException("query " + promql + " answered " + r.status() + ": " + r.body());
        }
        return r.body();
    }

    /** VictoriaMetrics' answer to a range query over the last {@code seconds} (step 5 s), as JSON text. */
    public String queryRange(String promql, long seconds) throws IOException {
        long now = System.currentTimeMillis() / 1000;
        Http.Response r = Http.get(
                vmUrl() + "/api/v1/query_range?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&start="
                        + (now - seconds) + "&end=" + now + "&step=5",
                Duration.ofSeconds(10));
        if (r.status() != 200) {
            throw new IOException("query_range " + promql + " answered " + r.status() + ": " + r.body());
        }
        return r.body();
    }

    /** The values of {@code label} on series matching {@code match} (what Grafana's label_values() asks). */
    public String labelValues(String label, String match) throws IOException {
        Http.Response r = Http.get(
                vmUrl() + "/api/v1/label/" + label + "/values?match[]="
                        + URLEncoder.encode(match, StandardCharsets.UTF_8),
                Duration.ofSeconds(10));
        if (r.status() != 200) {
            throw new IOException(
                    "label values " + label + " of " + match + " answered " + r.status() + ": " + r.body());
        }
        return r.body();
    }

    /** Waits up to {@code within} for {@code promql} to return at least one series; returns the last answer. */
    public String awaitSeries(String promql, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = query(promql);
            if (!last.contains("\"result\":[]")) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no series for " + promql + " within " + within.toSeconds() + " s; last answer " + last
                + " (logs in " + dir.resolve("logs") + ")");
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
