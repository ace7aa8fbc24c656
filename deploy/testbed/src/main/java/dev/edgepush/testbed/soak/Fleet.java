package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.FaultProxy;
import dev.edgepush.testbed.SensorServer;
import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
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
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The whole soak fleet on loopback: a real VictoriaMetrics, a real central-ingest child JVM with
 * a tokens file and WAL, and the robots. Every directory and log lives under the run's output
 * directory; every port is a free loopback port, kept across restarts.
 */
final class Fleet implements AutoCloseable {
    /** central-ingest sized for a shared 2-core test box rather than a cloud machine. */
    private static final List<String> INGEST_JVM = List.of(
            "-Xms32m",
            "-Xmx384m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:+ExitOnOutOfMemoryError",
            "-Dchronicle.analytics.disable=true",
            "-Dchronicle.announcer.disable=true");

    /** How long a child gets to become healthy. */
    private static final Duration START_LIMIT = Duration.ofSeconds(60);

    final SoakConfig cfg;
    final int vmPort;
    final ChildProcess vm;
    final int ingestPort;
    final ChildProcess ingest;
    final List<Robot> robots = new ArrayList<>();
    /** Extra flags of every robot's edge-agent. */
    private final List<String> agentArgs;
    /** Extra jobs of every robot's scrape config: YAML list items under {@code scrape_configs}. */
    private final String extraScrapeConfigs;

    private volatile double lastWalPending;

    private Fleet(SoakConfig cfg, List<String> ingestArgs, List<String> agentArgs, String extraScrapeConfigs)
            throws IOException {
        this.agentArgs = List.copyOf(agentArgs);
        this.extraScrapeConfigs = extraScrapeConfigs;
        this.cfg = cfg;
        Path dir = cfg.out();
        vmPort = Http.freePort();
        vm = child(
                "victoria-metrics",
                vmPort,
                List.of(
                        cfg.vmBinary(),
                        "-storageDataPath=" + dir.resolve("vm-data"),
                        "-httpListenAddr=127.0.0.1:" + vmPort,
                        "-search.latencyOffset=0s",
                        "-loggerLevel=WARN"),
                dir.resolve("logs/victoria-metrics.log"),
                () -> ok("http://127.0.0.1:" + vmPort + "/health", "OK"));
        ingestPort = Http.freePort();
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(INGEST_JVM);
        cmd.addAll(cfg.ingestJvmOpts());
        cmd.addAll(List.of(
                "-jar",
                cfg.ingestJar().toString(),
                "-httpListenAddr=127.0.0.1:" + ingestPort,
                "-remoteWrite.url=http://127.0.0.1:" + vmPort + "/api/v1/write",
                "-auth.tokensFile=" + dir.resolve("ingest/tokens"),
                "-wal.path=" + dir.resolve("ingest/wal")));
        cmd.addAll(ingestArgs);
        ingest = child(
                "central-ingest",
                ingestPort,
                cmd,
                dir.resolve("logs/central-ingest.log"),
                () -> ok(ingestUrl() + "/health", ""));
    }

    /** Starts everything and waits until each part is healthy. */
    static Fleet start(SoakConfig cfg) throws IOException, InterruptedException {
        return start(cfg, List.of(), List.of(), "");
    }

    /**
     * Like {@link #start(SoakConfig)}, with extra flags for central-ingest and for every edge-agent,
     * and extra scrape jobs (YAML items of {@code scrape_configs}, indented by 2) for every robot.
     */
    static Fleet start(SoakConfig cfg, List<String> ingestArgs, List<String> agentArgs, String extraScrapeConfigs)
            throws IOException, InterruptedException {
        Path dir = cfg.out();
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("ingest"));
        Fleet fleet = new Fleet(cfg, ingestArgs, agentArgs, extraScrapeConfigs);
        try {
            SecureRandom random = new SecureRandom();
            StringBuilder tokens =
                    new StringBuilder("# kind name tenant sha256-of-token, written by the soak runner\n");
            List<String> plain = new ArrayList<>();
            for (int n = 1; n <= cfg.robots(); n++) {
                byte[] b = new byte[24];
                random.nextBytes(b);
                String token = HexFormat.of().formatHex(b);
                plain.add(token);
                tokens.append("robot r")
                        .append(n)
                        .append(" 0 sha256:")
                        .append(sha256(token))
                        .append('\n');
            }
            Files.writeString(dir.resolve("ingest/tokens"), tokens);
            start(fleet.vm);
            start(fleet.ingest);
            for (int n = 1; n <= cfg.robots(); n++) {
                fleet.robots.add(fleet.startRobot(n, plain.get(n - 1)));
            }
            return fleet;
        } catch (IOException | RuntimeException | InterruptedException e) {
            fleet.close();
            throw e;
        }
    }

    private Robot startRobot(int n, String token) throws IOException, InterruptedException {
        Path home = cfg.out().resolve("robots/r" + n);
        Files.createDirectories(home);
        SensorServer sensor = SensorServer.start("127.0.0.1", 0, cfg.seed() * 31 + n, cfg.series());
        FaultProxy proxy;
        try {
            proxy = new FaultProxy(
                    new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", ingestPort));
        } catch (InterruptedException | RuntimeException e) {
            sensor.close();
            throw e;
        }
        Path tokenFile = home.resolve("token");
        Files.writeString(tokenFile, token);
        Path config = home.resolve("scrape.yml");
        Files.writeString(
                config,
                "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: sensor\n"
                        + "    static_configs:\n      - targets: ['127.0.0.1:" + sensor.port() + "']\n"
                        + extraScrapeConfigs);
        int port = Http.freePort();
        Path buffer = home.resolve("buffer");
        // The robot's own launcher (env and the launcher exec, so the child's pid is the JVM's, for
        // kill -9), with this JVM and the given jar: its JVM options are the ones robots run with.
        List<String> cmd = new ArrayList<>(List.of(
                "env",
                "JAVA_HOME=" + System.getProperty("java.home"),
                "EDGE_AGENT_JAR=" + cfg.agentJar(),
                cfg.agentLauncher().toString()));
        cmd.addAll(List.of(
                "-httpListenAddr=127.0.0.1:" + port,
                "-promscrape.config=" + config,
                "-remoteWrite.url=http://127.0.0.1:" + proxy.port() + "/api/v1/write",
                "-remoteWrite.bearerTokenFile=" + tokenFile,
                "-remoteWrite.tmpDataPath=" + buffer,
                // A blackholed request is given up after 20 s rather than vmagent's 1 m, so a 3-minute soak
                // sees several recoveries; it is retried either way.
                "-remoteWrite.sendTimeout=20s"));
        cmd.addAll(agentArgs);
        ChildProcess agent = child(
                "edge-agent r" + n,
                port,
                cmd,
                cfg.out().resolve("logs/agent-r" + n + ".log"),
                () -> ok("http://127.0.0.1:" + port + "/health", "ok"));
        Robot robot = new Robot(n, sensor, proxy, agent, port, buffer);
        try {
            start(agent);
        } catch (IOException | RuntimeException e) {
            robot.close();
            throw e;
        }
        return robot;
    }

    String ingestUrl() {
        return "http://127.0.0.1:" + ingestPort;
    }

    String vmUrl() {
        return "http://127.0.0.1:" + vmPort;
    }

    /** central-ingest's self metric {@code name}, if it answers. */
    OptionalDouble ingestMetric(String name) {
        return ingestMetrics().map(m -> Http.metric(m, name)).orElse(OptionalDouble.empty());
    }

    /** central-ingest's /metrics page (one moment for all its metrics), if it answers. */
    Optional<String> ingestMetrics() {
        try {
            Http.Response r = Http.get(ingestUrl() + "/metrics", Duration.ofSeconds(3));
            return r.status() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The WAL backlog now, or the last value seen while central-ingest is down. */
    double walPending() {
        OptionalDouble v = ingestMetric("central_ingest_wal_pending_samples");
        if (v.isPresent()) {
            lastWalPending = v.getAsDouble();
        }
        return lastWalPending;
    }

    /**
     * A child the soak can start, {@code kill -9}, stop and start again with the same command line,
     * its output appended to {@code log} across restarts; not started yet.
     */
    private static ChildProcess child(String name, int port, List<String> command, Path log, ChildProcess.Probe up)
            throws IOException {
        return ChildProcess.builder(name, port, command)
                .log(log)
                .startTimeout(START_LIMIT)
                .probe(up)
                .build();
    }

    /**
     * Starts {@code child} (again) and waits until it is healthy.
     *
     * @throws IOException, with the child's output, when it exits or is not healthy within 60 s
     */
    static void start(ChildProcess child) throws IOException {
        try {
            child.restart();
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static boolean ok(String url, String prefix) {
        try {
            Http.Response r = Http.get(url, Duration.ofSeconds(2));
            return r.status() == 200 && r.body().startsWith(prefix);
        } catch (IOException e) {
            return false;
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Robot r : robots) {
            r.close();
        }
        ingest.close();
        vm.close();
    }
}
