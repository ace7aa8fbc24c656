package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.FaultProxy;
import dev.edgepush.testbed.SensorServer;
import dev.edgepush.testsupport.ChildProcess;
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
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * The disk-cap robot's {@code -remoteWrite.maxDiskUsagePerURL}. A buffer holds about 90 KiB per
     * minute of one robot's scrapes (a cycle file per minute) plus 16 KiB of fixed files, so a link
     * that is up keeps it under the cap at every minute boundary (the last minute's file and a new
     * one), and an outage from just after a boundary overflows it some 15 s into the next minute:
     * then the older file is deleted and its scrapes dropped as {@code disk_full}.
     */
    static final long DISK_CAP_BYTES = 128 * 1024;

    /**
     * The capped-link robot's {@code -remoteWrite.maxRowsPerBlock}: one scrape a request (the
     * sensor's are about 50 samples), so its backlog is sent in requests like its live ones, at
     * the same bytes a sample (larger blocks compress several times better, and a cap set from
     * the live rate would drain the backlog in seconds), each uploaded in about a second through
     * the capped link, well within the 20 s send timeout.
     */
    static final int CAPPED_LINK_ROWS_PER_BLOCK = 100;

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
    /** What sets each robot apart, by robot number - 1. */
    private final List<RobotSpec> specs;
    /** Extra jobs of every robot's scrape config: YAML list items under {@code scrape_configs}. */
    private final String extraScrapeConfigs;

    private volatile double lastWalPending;

    /**
     * What sets one robot apart from the plain ones.
     *
     * @param env extra environment of its edge-agent (e.g. libfaketime's)
     * @param agentArgs extra flags of its edge-agent
     */
    record RobotSpec(List<String> env, List<String> agentArgs) {
        static final RobotSpec PLAIN = new RobotSpec(List.of(), List.of());
    }

    private Fleet(
            SoakConfig cfg,
            List<String> ingestArgs,
            List<String> agentArgs,
            String extraScrapeConfigs,
            List<RobotSpec> specs)
            throws IOException {
        this.agentArgs = List.copyOf(agentArgs);
        this.specs = List.copyOf(specs);
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

    /**
     * Starts the soak's fleet and waits until each part is healthy: the configured robots, then
     * the scripted ones ({@link SoakConfig#totalRobots}); r1 with its clock ahead and central-ingest
     * correcting skews when {@link SoakConfig#clockAhead} is set.
     */
    static Fleet start(SoakConfig cfg) throws IOException, InterruptedException {
        List<RobotSpec> specs = new ArrayList<>();
        for (int n = 1; n <= cfg.totalRobots(); n++) {
            List<String> env = new ArrayList<>();
            List<String> args = new ArrayList<>();
            if (n == cfg.clockRobot()) {
                // Every clock of the agent's JVM runs that far ahead, the monotonic one too (a constant
                // offset to it changes no interval; libfaketime converts the JVM's timed waits).
                // DONT_FAKE_MONOTONIC=1 works as well but costs an idle JVM about a fifth of a core.
                env.addAll(List.of(
                        "LD_PRELOAD=" + cfg.libfaketime(),
                        "FAKETIME=+" + cfg.clockAhead().toSeconds()));
            }
            if (n == cfg.diskCapRobotNumber()) {
                args.add("-remoteWrite.maxDiskUsagePerURL=" + DISK_CAP_BYTES);
            }
            if (n == cfg.cappedLinkRobotNumber()) {
                args.add("-remoteWrite.maxRowsPerBlock=" + CAPPED_LINK_ROWS_PER_BLOCK);
            }
            specs.add(new RobotSpec(env, args));
        }
        List<String> ingestArgs = cfg.clockAhead().isZero()
                ? List.of()
                : List.of("-fleet.correctClockSkewAbove=" + SoakConfig.CORRECT_CLOCK_SKEW_ABOVE.toSeconds() + "s");
        return start(cfg, ingestArgs, List.of(), "", specs);
    }

    /**
     * Like {@link #start(SoakConfig)}, with extra flags for central-ingest and for every edge-agent,
     * and extra scrape jobs (YAML items of {@code scrape_configs}, indented by 2) for every robot.
     */
    static Fleet start(SoakConfig cfg, List<String> ingestArgs, List<String> agentArgs, String extraScrapeConfigs)
            throws IOException, InterruptedException {
        return start(
                cfg, ingestArgs, agentArgs, extraScrapeConfigs, Collections.nCopies(cfg.robots(), RobotSpec.PLAIN));
    }

    private static Fleet start(
            SoakConfig cfg,
            List<String> ingestArgs,
            List<String> agentArgs,
            String extraScrapeConfigs,
            List<RobotSpec> specs)
            throws IOException, InterruptedException {
        Path dir = cfg.out();
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("ingest"));
        Fleet fleet = new Fleet(cfg, ingestArgs, agentArgs, extraScrapeConfigs, specs);
        try {
            SecureRandom random = new SecureRandom();
            StringBuilder tokens =
                    new StringBuilder("# kind name tenant sha256-of-token, written by the soak runner\n");
            List<String> plain = new ArrayList<>();
            for (int n = 1; n <= specs.size(); n++) {
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
            for (int n = 1; n <= specs.size(); n++) {
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
        RobotSpec spec = specs.get(n - 1);
        List<String> cmd = new ArrayList<>(
                List.of("env", "JAVA_HOME=" + System.getProperty("java.home"), "EDGE_AGENT_JAR=" + cfg.agentJar()));
        cmd.addAll(spec.env());
        cmd.add(cfg.agentLauncher().toString());
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
        cmd.addAll(spec.agentArgs());
        ChildProcess agent = child(
                "edge-agent r" + n,
                port,
                cmd,
                cfg.out().resolve("logs/agent-r" + n + ".log"),
                () -> ok("http://127.0.0.1:" + port + "/health", "ok"));
        Robot robot = new Robot(n, sensor, proxy, agent, port, buffer);
        try {
            start(agent);
            robot.startedAtMs = System.currentTimeMillis();
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

    /**
     * How far behind {@code robot}'s stored data is: now minus the newest {@code sensor_scrape_seq}
     * timestamp VictoriaMetrics holds for it within the last 15 minutes, in seconds; NaN when
     * there is none or VictoriaMetrics does not answer.
     */
    double liveLagSeconds(String robot) {
        String query = URLEncoder.encode(
                "max(tlast_over_time(sensor_scrape_seq{robot=\"" + robot + "\"}[15m]))", StandardCharsets.UTF_8);
        try {
            Http.Response r = Http.get(vmUrl() + "/api/v1/query?query=" + query, Duration.ofSeconds(3));
            Matcher m = Pattern.compile("\"value\":\\[[^,]+,\"([^\"]+)\"\\]").matcher(r.body());
            if (r.status() != 200 || !m.find()) {
                return Double.NaN;
            }
            return System.currentTimeMillis() / 1000.0 - Double.parseDouble(m.group(1));
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
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
