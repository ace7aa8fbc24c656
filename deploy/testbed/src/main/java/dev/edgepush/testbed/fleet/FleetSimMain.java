package dev.edgepush.testbed.fleet;

import dev.edgepush.testbed.load.Servers;
import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.Executables;
import dev.edgepush.testsupport.Loopback;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fleet-sim}, issue 5's lighter mode: thousands of simulated robots pushing remote write
 * from one JVM ({@link FleetSim}) on a seeded plan ({@link FleetPlan}), then a check that
 * VictoriaMetrics holds, per robot, every sample generated.
 *
 * <p>Flags ({@code -name=value}): {@code -robots} (2000), {@code -duration} (2m), {@code -interval}
 * (10s), {@code -series} (50 per robot), {@code -offline} (0.2, the fraction of robots that go
 * offline), {@code -seed} (1), {@code -batchTicks} (10 batches per request at most),
 * {@code -maxBacklog} (1000 batches kept per robot), {@code -drainTimeout} (5m),
 * {@code -verifyTimeout} (2m). Against a running central-ingest: {@code -ingest=URL} (base URL)
 * and {@code -tokensFile=F} (robot token hashes are appended; the server reads it within a
 * second) and, to check, {@code -query.url=URL} (a VictoriaMetrics base) or {@code -readerToken=T}
 * (queries through the ingest's proxy). Without {@code -ingest} it starts VictoriaMetrics
 * ({@code victoria-metrics} on the PATH) and central-ingest ({@code -repo}'s launcher, extra flags
 * in {@code -ingestFlags}, space separated) in {@code -work} (a temporary directory by default).
 */
public final class FleetSimMain {
    private final Map<String, String> opts;
    private String queryBase;
    private String queryAuth;
    private String fleetUrl;
    private ChildProcess vm;
    private FleetQueries queries;

    private FleetSimMain(Map<String, String> opts) {
        this.opts = opts;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts;
        try {
            opts = FleetSimFlags.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new FleetSimMain(opts).run());
    }

    private int run() throws Exception {
        int robotCount = Integer.parseInt(opts.getOrDefault("robots", "2000"));
        Duration duration = FleetSimFlags.duration(opts.getOrDefault("duration", "2m"));
        Duration interval = FleetSimFlags.duration(opts.getOrDefault("interval", "10s"));
        int series = Integer.parseInt(opts.getOrDefault("series", "50"));
        double offline = Double.parseDouble(opts.getOrDefault("offline", "0.2"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
        int batchTicks = Integer.parseInt(opts.getOrDefault("batchTicks", "10"));
        int maxBacklog = Integer.parseInt(opts.getOrDefault("maxBacklog", "1000"));
        FleetPlan plan =
                FleetPlan.plan(robotCount, duration.toMillis(), interval.toMillis(), offline, maxBacklog, seed);
        String runId = Long.toString(System.currentTimeMillis() / 1000, 36) + "s" + seed;
        boolean external = opts.containsKey("ingest");
        String prefix = external ? "fs" + runId + "-" : "";
        List<String> names = new ArrayList<>(robotCount);
        List<String> tokens = new ArrayList<>(robotCount);
        SecureRandom random = new SecureRandom();
        StringBuilder tokensFile =
                new StringBuilder("# fleet-sim run " + runId + ": kind name tenant sha256-of-token\n");
        for (int r = 0; r < robotCount; r++) {
            byte[] b = new byte[24];
            random.nextBytes(b);
            names.add(prefix + "r" + r);
            tokens.add(HexFormat.of().formatHex(b));
            tokensFile
                    .append("robot ")
                    .append(names.get(r))
                    .append(" 0 ")
                    .append(sha256(tokens.get(r)))
                    .append('\n');
        }
        String readerToken = opts.get("readerToken");
        System.out.printf(
                Locale.ROOT,
                "fleet-sim: run %s, %d robots x %d series every %s for %s (seed %d), %d offline "
                        + "(%d periods), %,d samples planned%n",
                runId,
                robotCount,
                series,
                opts.getOrDefault("interval", "10s"),
                opts.getOrDefault("duration", "2m"),
                seed,
                plan.robots.stream().filter(p -> !p.offline().isEmpty()).count(),
                plan.offlinePeriods(),
                plan.totalTicks() * series);
        Path work = null;
        ChildProcess ingest = null;
        try {
            String ingestBase;
            if (external) {
                ingestBase = stripSlash(opts.get("ingest"));
                Path tf = Path.of(required("tokensFile"));
                Files.writeString(tf, tokensFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                System.out.println("fleet-sim: appended " + robotCount + " robot token hashes to " + tf
                        + "; waiting 2 s for central-ingest to re-read it");
                ChildProcess.pause(2000);
                if (opts.containsKey("query.url")) {
                    queryBase = stripSlash(opts.get("query.url"));
                } else if (readerToken != null) {
                    queryBase = ingestBase;
                    queryAuth = "Bearer " + readerToken;
                } else {
                    System.err.println(
                            "fleet-sim: with -ingest, give -query.url=<VictoriaMetrics> or -readerToken=<reader token>");
                    return 2;
                }
            } else {
                work = opts.containsKey("work")
                        ? Files.createDirectories(Path.of(opts.get("work")))
                        : Files.createTempDirectory("fleet-sim-");
                readerToken = HexFormat.of().formatHex(random.generateSeed(16));
                tokensFile
                        .append("reader fleetsim 0 ")
                        .append(sha256(readerToken))
                        .append('\n');
                Path tf = work.resolve("tokens");
                Files.writeString(tf, tokensFile);
                int vmPort = Loopback.freePort();
                vm = Servers.start(
                        "victoria-metrics",
                        vmPort,
                        work,
                        List.of(
                                Executables.onPath("victoria-metrics", "victoria-metrics"),
                                "-storageDataPath=" + work.resolve("vm-data"),
                                "-httpListenAddr=127.0.0.1:" + vmPort,
                                "-dedup.minScrapeInterval=1ms",
                                "-search.latencyOffset=0s",
                                "-loggerLevel=WARN"),
                        Map.of());
                int port = Loopback.freePort();
                Path repo =
                        Path.of(opts.getOrDefault("repo", ".")).toAbsolutePath().normalize();
                List<String> cmd = new ArrayList<>(List.of(
                        repo.resolve("central-ingest/bin/central-ingest").toString(),
                        "-httpListenAddr=127.0.0.1:" + port,
                        "-remoteWrite.url=" + vm.url("/api/v1/write"),
                        "-query.url=" + vm.url(""),
                        "-auth.tokensFile=" + tf,
                        "-wal.path=" + work.resolve("wal")));
                String extra = opts.getOrDefault("ingestFlags", "").trim();
                if (!extra.isEmpty()) {
                    cmd.addAll(List.of(extra.split(" +")));
                }
                ingest = Servers.start("central-ingest", port, work, cmd, Map.of());
                ingestBase = ingest.url("");
                queryBase = vm.url("");
                System.out.println("fleet-sim: started victoria-metrics " + vm.url("") + " and central-ingest "
                        + ingestBase + " " + String.join(" ", cmd.subList(1, cmd.size())) + " (work dir " + work + ")");
            }
            if (readerToken != null) {
                fleetUrl = ingestBase + "/api/v1/fleet";
            }
            FleetSim.Config cfg = new FleetSim.Config(
                    URI.create(ingestBase + "/api/v1/write"), series, batchTicks, maxBacklog, runId);
            queries = new FleetQueries(queryBase, queryAuth);
            try (FleetSim sim = new FleetSim(cfg, plan, names, tokens)) {
                return simulate(sim, duration, readerToken);
            }
        } finally {
            if (ingest != null) {
                ingest.close();
            }
            if (vm != null) {
                vm.close();
            }
            if (work != null && !opts.containsKey("work")) {
                deleteTree(work);
            }
        }
    }

    private int simulate(FleetSim sim, Duration duration, String readerToken) throws IOException {
        long t0 = System.nanoTime();
        sim.start();
        long drainDeadline = t0
                + duration.toNanos()
                + FleetSimFlags.duration(opts.getOrDefault("drainTimeout", "5m"))
                        .toNanos();
        long nextReport = t0;
        while (!sim.drained() && System.nanoTime() < drainDeadline) {
            if (System.nanoTime() >= nextReport) {
                progress(sim, t0, readerToken);
                nextReport += 10_000_000_000L;
            }
            ChildProcess.pause(200);
        }
        progress(sim, t0, readerToken);
        boolean drained = sim.drained();
        System.out.printf(
                Locale.ROOT,
                "fleet-sim: %s after %.1f s; generated %,d, acknowledged %,d, dropped (backlog "
                        + "bound) %,d, rejected 4xx %d requests, connection errors %d, requests %,d%n",
                drained ? "every backlog drained" : "backlogs NOT drained",
                (System.nanoTime() - t0) / 1e9,
                sim.generated.sum(),
                sim.acked.sum(),
                sim.dropped.sum(),
                sim.otherRejected.sum(),
                sim.ioErrors.sum(),
                sim.requests.sum());
        Map<String, Long> stored = awaitStored(sim);
        long generated = 0;
        long storedTotal = 0;
        long lost = 0;
        long extra = 0;
        List<String> short_ = new ArrayList<>();
        for (int r = 0; r < sim.names.size(); r++) {
            long g = sim.generatedSamples(r);
            long s = stored.getOrDefault(sim.names.get(r), 0L);
            generated += g;
            storedTotal += s;
            if (s < g) {
                lost += g - s;
                if (short_.size() < 10) {
                    short_.add(sim.names.get(r) + " " + s + "/" + g);
                }
            } else {
                extra += s - g;
            }
        }
        if (!short_.isEmpty()) {
            System.out.println("fleet-sim: robots short of samples (stored/generated), first ones: " + short_);
        }
        if (extra > 0) {
            System.out.println("fleet-sim: " + extra + " samples stored beyond those generated (duplicates?)");
        }
        System.out.printf(
                Locale.ROOT,
                "fleet: robots=%d samples=%d stored=%d lost=%d offline_periods=%d http_429=%d "
                        + "http_5xx=%d ack_p50_ms=%d ack_p99_ms=%d%n",
                sim.names.size(),
                generated,
                storedTotal,
                lost,
                sim.plan.offlinePeriods(),
                sim.http429.sum(),
                sim.http5xx.sum(),
                sim.timeToAck.percentile(0.50),
                sim.timeToAck.percentile(0.99));
        return lost == 0 && drained ? 0 : 1;
    }

    private void progress(FleetSim sim, long t0, String readerToken) {
        String view = queries.fleetView(fleetUrl, readerToken);
        System.out.printf(
                Locale.ROOT,
                "t=%5.1fs generated=%,d acked=%,d pending=%,d offline_now=%d requests=%,d "
                        + "429=%d 5xx=%d errors=%d%s%n",
                (System.nanoTime() - t0) / 1e9,
                sim.generated.sum(),
                sim.acked.sum(),
                sim.pendingSamples(),
                sim.offlineNow(),
                sim.requests.sum(),
                sim.http429.sum(),
                sim.http5xx.sum(),
                sim.ioErrors.sum(),
                view);
    }

    /**
     * Distinct samples stored per robot label for this run's series, polled until the total reaches
     * what was generated or {@code -verifyTimeout} passes (central-ingest forwards from its WAL).
     */
    private Map<String, Long> awaitStored(FleetSim sim) throws IOException {
        long deadline = System.nanoTime()
                + FleetSimFlags.duration(opts.getOrDefault("verifyTimeout", "2m"))
                        .toNanos();
        long want = sim.generated.sum();
        Map<String, Long> stored = Map.of();
        while (true) {
            if (vm != null) {
                Servers.get(vm, "/internal/force_flush");
            }
            stored = queries.storedPerRobot(sim);
            long total = stored.values().stream().mapToLong(Long::longValue).sum();
            if (total >= want || System.nanoTime() >= deadline) {
                System.out.printf(
                        Locale.ROOT,
                        "fleet-sim: VictoriaMetrics holds %,d samples of %d robots for run %s%n",
                        total,
                        stored.size(),
                        sim.cfg.runId());
                return stored;
            }
            ChildProcess.pause(2000);
        }
    }

    private String required(String name) {
        String v = opts.get(name);
        if (v == null) {
            throw new IllegalArgumentException("-" + name + " is required with -ingest");
        }
        return v;
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    static String sha256(String token) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256")
                                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
