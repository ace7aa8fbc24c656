package dev.edgepush.testbed.fleet;

import dev.edgepush.testbed.load.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Pattern BY_ROBOT =
            Pattern.compile("\\{\"metric\":\\{\"robot\":\"([^\"]+)\"\\},\"value\":\\[[^,]+,\"([^\"]+)\"\\]\\}");
    private final Map<String, String> opts;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String queryBase;
    private String queryAuth;
    private String fleetUrl;
    private ServerProcess vm;

    private FleetSimMain(Map<String, String> opts) {
        this.opts = opts;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> known = List.of(
                "robots",
                "duration",
                "interval",
                "series",
                "offline",
                "seed",
                "batchTicks",
                "maxBacklog",
                "drainTimeout",
                "verifyTimeout",
                "ingest",
                "tokensFile",
                "query.url",
                "readerToken",
                "repo",
                "ingestFlags",
                "work");
        for (String a : args) {
            String s = a.startsWith("--") ? a.substring(2) : a.startsWith("-") ? a.substring(1) : null;
            if (s == null || !s.contains("=") || !known.contains(s.substring(0, s.indexOf('=')))) {
                System.err.println("fleet-sim: unknown or malformed flag '" + a + "'; flags: -"
                        + String.join("=, -", known) + "= (see FleetSimMain's javadoc)");
                System.exit(2);
            }
            opts.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        }
        System.exit(new FleetSimMain(opts).run());
    }

    private int run() throws Exception {
        int robotCount = Integer.parseInt(opts.getOrDefault("robots", "2000"));
        Duration duration = duration(opts.getOrDefault("duration", "2m"));
        Duration interval = duration(opts.getOrDefault("interval", "10s"));
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
        ServerProcess ingest = null;
        try {
            String ingestBase;
            if (external) {
                ingestBase = stripSlash(opts.get("ingest"));
                Path tf = Path.of(required("tokensFile"));
                Files.writeString(tf, tokensFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                System.out.println("fleet-sim: appended " + robotCount + " robot token hashes to " + tf
                        + "; waiting 2 s for central-ingest to re-read it");
                ServerProcess.sleep(2000);
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
                int vmPort = ServerProcess.freePort();
                vm = ServerProcess.start(
                        "victoria-metrics",
                        vmPort,
                        work,
                        List.of(
                                ServerProcess.binary("victoria-metrics"),
                                "-storageDataPath=" + work.resolve("vm-data"),
                                "-httpListenAddr=127.0.0.1:" + vmPort,
                                "-dedup.minScrapeInterval=1ms",
                                "-search.latencyOffset=0s",
                                "-loggerLevel=WARN"),
                        Map.of());
                int port = ServerProcess.freePort();
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
                ingest = ServerProcess.start("central-ingest", port, work, cmd, Map.of());
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
                + duration(opts.getOrDefault("drainTimeout", "5m")).toNanos();
        long nextReport = t0;
        while (!sim.drained() && System.nanoTime() < drainDeadline) {
            if (System.nanoTime() >= nextReport) {
                progress(sim, t0, readerToken);
                nextReport += 10_000_000_000L;
            }
            ServerProcess.sleep(200);
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
        String view = "";
        if (fleetUrl != null) {
            try {
                String body = get(fleetUrl, "Bearer " + readerToken);
                Matcher online = Pattern.compile("\"robotsOnline\":(\\d+)").matcher(body);
                Matcher pending = Pattern.compile("\"pendingSamples\":(\\d+)").matcher(body);
                long sum = 0;
                int reporting = 0;
                while (pending.find()) {
                    long p = Long.parseLong(pending.group(1));
                    sum += p;
                    reporting += p > 0 ? 1 : 0;
                }
                view = String.format(
                        Locale.ROOT,
                        "; /api/v1/fleet: online=%s, %d robots report pending, sum %,d",
                        online.find() ? online.group(1) : "?",
                        reporting,
                        sum);
            } catch (IOException e) {
                view = "; /api/v1/fleet: " + e.getMessage();
            }
        }
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
                + duration(opts.getOrDefault("verifyTimeout", "2m")).toNanos();
        long want = sim.generated.sum();
        Map<String, Long> stored = Map.of();
        while (true) {
            if (vm != null) {
                vm.get("/internal/force_flush");
            }
            stored = storedPerRobot(sim);
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
            ServerProcess.sleep(2000);
        }
    }

    /**
     * Samples stored per robot, asked one metric name at a time: at 10,000 robots all names together
     * are 500,000 series, past VictoriaMetrics' 300,000 per query (-search.maxUniqueTimeseries).
     */
    private Map<String, Long> storedPerRobot(FleetSim sim) throws IOException {
        long endS = System.currentTimeMillis() / 1000 + 1;
        long window = endS - sim.startMs() / 1000 + 2;
        Map<String, Long> byRobot = new HashMap<>();
        for (int name = 0; name < 10; name++) {
            String q = "sum by (robot) (count_over_time({__name__=\"fleetsim_m" + name + "\",run=\"" + sim.cfg.runId()
                    + "\"}[" + window + "s]))";
            String body = get(
                    queryBase + "/api/v1/query?nocache=1&time=" + endS + "&query="
                            + URLEncoder.encode(q, StandardCharsets.UTF_8),
                    queryAuth);
            Matcher m = BY_ROBOT.matcher(body);
            while (m.find()) {
                byRobot.merge(m.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
            }
        }
        return byRobot;
    }

    private String get(String url, String auth) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IOException(url + " answered " + res.statusCode() + ": " + res.body());
            }
            return res.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
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

    static Duration duration(String s) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("duration '" + s + "': use e.g. 500ms, 30s, 2m, 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
