package dev.edgepush.testbed.load;

import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.Executables;
import dev.edgepush.testsupport.Loopback;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue 4's load bar, as a whole-process benchmark: a simulated fleet pushes remote write 1.0 to
 * (a) central-ingest (its launcher and shaded jar, WAL on disk, forwarding to a real
 * VictoriaMetrics) and then (b) vmagent as a receiver (forwarding to its own VictoriaMetrics),
 * never both at once. Reports samples/s accepted, non-2xx answers, the receiver's CPU seconds per
 * million samples and peak RSS, checks that every accepted sample reached VictoriaMetrics, prints
 * a Markdown table and PASS/FAIL, and writes them to {@code --out}.
 *
 * <p>Flags ({@code --name=value}): {@code --repo} (repository root, default .), {@code --duration}
 * (30s), {@code --warmup} (20s: a receiver's steady state is what a fleet pays for; 12 s after
 * the start C2 was still compiling, 5 % of central-ingest's CPU), {@code --rounds} (3: each
 * receiver runs that many times, alternating, and the verdict takes each one's medians; the
 * machine's speed moves between runs), {@code --robots} (100), {@code --series} (500 per robot),
 * {@code --samples-per-series} (4 per batch), {@code --batches} (64 per robot, precomputed),
 * {@code --receivers} (central-ingest,vmagent), {@code --ingest-java-opts} (replaces the
 * launcher's JVM options), {@code --ingest-flags} (extra central-ingest flags, space separated),
 * {@code --keep-alive} (true; false: a new connection per request), {@code --drain-timeout} (180s), {@code --out} (results file), {@code --work} (scratch
 * directory, deleted at the end).
 */
public final class IngestLoadBenchmark {
    private final Map<String, String> opts;
    private final Path repo;
    private final Path work;
    private final SimulatedFleet fleet;

    private IngestLoadBenchmark(Map<String, String> opts, SimulatedFleet fleet) throws IOException {
        this.opts = opts;
        this.repo = Path.of(opts.getOrDefault("repo", ".")).toAbsolutePath().normalize();
        this.work = opts.containsKey("work")
                ? Files.createDirectories(Path.of(opts.get("work")))
                : Files.createTempDirectory("bench-ingest-");
        this.fleet = fleet;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                System.err.println(
                        "bench-ingest: expected --name=value, got " + a + " (see IngestLoadBenchmark's javadoc)");
                System.exit(2);
            }
            opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        int robots = Integer.parseInt(opts.getOrDefault("robots", "100"));
        int series = Integer.parseInt(opts.getOrDefault("series", "500"));
        int perSeries = Integer.parseInt(opts.getOrDefault("samples-per-series", "4"));
        int batches = Integer.parseInt(opts.getOrDefault("batches", "64"));
        // An hour ago, on a whole second: recent enough for any retention, never in the future.
        long t0 = (System.currentTimeMillis() / 1000 - 3600) * 1000;
        long buildStart = System.nanoTime();
        SimulatedFleet fleet = new SimulatedFleet(robots, series, perSeries, batches, t0);
        System.out.printf(
                Locale.ROOT,
                "fleet: %d robots x %d series, %d samples per batch, %d batches each "
                        + "(%,d distinct samples, %.1f MiB compressed, built in %.1f s)%n",
                robots,
                series,
                fleet.samplesPerBatch,
                batches,
                (long) robots * batches * fleet.samplesPerBatch,
                fleet.compressedBytes() / 1048576.0,
                (System.nanoTime() - buildStart) / 1e9);
        IngestLoadBenchmark bench = new IngestLoadBenchmark(opts, fleet);
        boolean pass;
        try {
            pass = bench.runAll();
        } finally {
            if (!opts.containsKey("work")) {
                deleteTree(bench.work); // WALs and VictoriaMetrics data: hundreds of MB
            }
        }
        System.exit(pass ? 0 : 1);
    }

    private boolean runAll() throws Exception {
        List<ReceiverRun> runs = new ArrayList<>();
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        for (int round = 1; round <= rounds; round++) {
            for (String receiver :
                    opts.getOrDefault("receivers", "central-ingest,vmagent").split(",")) {
                runs.add(runOne(receiver.trim(), round));
                System.out.println(ResultTable.markdown(runs.subList(runs.size() - 1, runs.size())));
            }
        }
        StringBuilder report = new StringBuilder();
        report.append("# central-ingest load benchmark, ").append(Instant.now()).append("\n\n");
        report.append(String.format(
                Locale.ROOT,
                "%d robots (own token, own series) x %d samples per batch "
                        + "(Snappy remote write 1.0, precomputed, %s), %s per receiver after a %s warm-up, receivers one after"
                        + " the other; %d cores shared by client, receiver and VictoriaMetrics.%n%n",
                fleet.robots.size(),
                fleet.samplesPerBatch,
                keepAlive() ? "connections kept alive" : "a new connection per request",
                opts.getOrDefault("duration", "30s"),
                opts.getOrDefault("warmup", "20s"),
                Runtime.getRuntime().availableProcessors()));
        report.append(ResultTable.markdown(runs)).append('\n');
        List<ReceiverRun> ingest =
                runs.stream().filter(r -> r.receiver().equals("central-ingest")).toList();
        List<ReceiverRun> vmagent =
                runs.stream().filter(r -> r.receiver().equals("vmagent")).toList();
        boolean pass = true;
        if (!ingest.isEmpty() && !vmagent.isEmpty()) {
            List<String> verdict = ResultTable.verdict(ingest, vmagent);
            verdict.forEach(l -> report.append(l).append('\n'));
            pass = verdict.get(verdict.size() - 1).equals("PASS");
        } else {
            report.append("(no verdict: it needs both central-ingest and vmagent)\n");
        }
        System.out.println();
        System.out.print(report);
        Path out = Path.of(opts.getOrDefault("out", "bench-ingest-results.md")).toAbsolutePath();
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println("results written to " + out);
        return pass;
    }

    private ReceiverRun runOne(String receiver, int round) throws Exception {
        Path dir = Files.createDirectories(work.resolve(receiver + "-" + round));
        try {
            return runOne(receiver, dir);
        } finally {
            deleteTree(dir); // a run's WAL and VictoriaMetrics data: hundreds of MB
        }
    }

    private ReceiverRun runOne(String receiver, Path dir) throws Exception {
        int vmPort = Loopback.freePort();
        // dedup: a robot that wrapped around re-sends identical samples; the count is of distinct ones.
        try (ChildProcess vm = Servers.start(
                        "victoria-metrics",
                        vmPort,
                        dir,
                        List.of(
                                Executables.onPath("victoria-metrics", "victoria-metrics"),
                                "-storageDataPath=" + dir.resolve("vm-data"),
                                "-httpListenAddr=127.0.0.1:" + vmPort,
                                "-dedup.minScrapeInterval=1ms",
                                "-search.latencyOffset=0s",
                                "-loggerLevel=WARN"),
                        Map.of());
                ChildProcess rx = startReceiver(receiver, dir, "http://127.0.0.1:" + vmPort + "/api/v1/write")) {
            String url = rx.url("/api/v1/write");
            PushLoad load = new PushLoad(fleet, keepAlive());
            Duration warmup = duration(opts.getOrDefault("warmup", "20s"));
            Duration duration = duration(opts.getOrDefault("duration", "30s"));
            System.out.printf(
                    "%s: warm-up %s, then %s of load from %d robots%n",
                    receiver, warmup, duration, fleet.robots.size());
            PushLoad.Result warm = load.run(url, warmup);
            double cpu0 = ProcessStats.cpuSeconds(rx.pid());
            double vmCpu0 = ProcessStats.cpuSeconds(vm.pid());
            PushLoad.Result r = load.run(url, duration);
            double cpu1 = ProcessStats.cpuSeconds(rx.pid());
            long drainStart = System.nanoTime();
            long expected = load.distinctAcceptedSamples();
            long total = warm.acceptedSamples() + r.acceptedSamples();
            long stored = awaitStored(vm, expected, total, duration(opts.getOrDefault("drain-timeout", "180s")));
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            double cpu2 = ProcessStats.cpuSeconds(rx.pid());
            double vmCpu2 = ProcessStats.cpuSeconds(vm.pid());
            long rss = ProcessStats.peakRssBytes(rx.pid());
            if (warm.non2xx() > 0) {
                System.out.println(receiver + ": warm-up non-2xx " + warm.rejectedByCode());
            }
            if (receiver.equals("central-ingest")) {
                System.out.println("central-ingest /metrics after the run:\n" + selfMetrics(rx));
            }
            return new ReceiverRun(
                    receiver,
                    r.samplesPerSecond(),
                    r.acceptedSamples(),
                    r.acceptedRequests(),
                    r.rejectedByCode(),
                    cpu1 - cpu0,
                    cpu2 - cpu0,
                    rss,
                    vmCpu2 - vmCpu0,
                    expected,
                    stored,
                    drainSeconds,
                    total,
                    rowsInserted(vm));
        }
    }

    private boolean keepAlive() {
        String v = opts.getOrDefault("keep-alive", "true");
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("--keep-alive: true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    private ChildProcess startReceiver(String receiver, Path dir, String vmWriteUrl) throws IOException {
        int port = Loopback.freePort();
        switch (receiver) {
            case "central-ingest": {
                Path tokens = dir.resolve("tokens");
                Files.writeString(tokens, fleet.tokensFile());
                List<String> cmd = new ArrayList<>(List.of(
                        repo.resolve("central-ingest/bin/central-ingest").toString(),
                        "-httpListenAddr=127.0.0.1:" + port,
                        "-remoteWrite.url=" + vmWriteUrl,
                        "-auth.tokensFile=" + tokens,
                        "-wal.path=" + dir.resolve("wal"),
                        // Every simulated robot connects from 127.0.0.1, like robots behind one NAT
                        // address: the default 100 connections per address closed the client's extra ones.
                        "-http.maxConnsPerAddress=" + Math.max(100, 4 * fleet.robots.size()),
                        // No backlog bound, as vmagent's disk queue has none by default: central-ingest
                        // accepts faster than one VictoriaMetrics on these 2 cores stores, and past
                        // the default 100 M pending samples it would answer 429 (by design) in a 30 s run.
                        "-wal.maxPendingSamples=0"));
                String extra = opts.getOrDefault("ingest-flags", "").trim();
                if (!extra.isEmpty()) {
                    cmd.addAll(List.of(extra.split(" +")));
                }
                Map<String, String> env = opts.containsKey("ingest-java-opts")
                        ? Map.of("CENTRAL_INGEST_JAVA_OPTS", opts.get("ingest-java-opts"))
                        : Map.of();
                return Servers.start("central-ingest", port, dir, cmd, env);
            }
            case "vmagent":
                return Servers.start(
                        "vmagent",
                        port,
                        dir,
                        List.of(
                                Executables.onPath("vmagent", "victoria-metrics"),
                                "-httpListenAddr=127.0.0.1:" + port,
                                "-remoteWrite.url=" + vmWriteUrl,
                                "-remoteWrite.tmpDataPath=" + dir.resolve("vmagent-data"),
                                "-loggerLevel=WARN"),
                        Map.of());
            default:
                throw new IllegalArgumentException(
                        "--receivers: unknown receiver '" + receiver + "' (central-ingest or vmagent)");
        }
    }

    /**
     * Polls until VictoriaMetrics returns {@code expected} distinct samples and has received {@code
     * total} rows (re-sends included), or the timeout passes; returns the distinct count.
     */
    private long awaitStored(ChildProcess vm, long expected, long total, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long stored = -1;
        while (System.nanoTime() < deadline) {
            stored = storedSamples(vm, expected);
            if (stored >= expected && rowsInserted(vm) >= total) {
                return stored;
            }
            ChildProcess.pause(1000);
        }
        System.out.println("stored " + stored + " of " + expected + " after " + timeout);
        return stored;
    }

    /** The bench's samples VictoriaMetrics stored, counted in pieces ({@link StoredSamples}). */
    long storedSamples(ChildProcess vm, long expected) throws IOException {
        return StoredSamples.count(
                path -> Servers.get(vm, path),
                java.util.stream.IntStream.range(0, 10)
                        .mapToObj(d -> "bench_m" + d)
                        .toList(),
                fleet.firstTimestampMs,
                fleet.lastTimestampMs,
                expected,
                StoredSamples.MAX_PER_QUERY);
    }

    /** VictoriaMetrics' {@code vm_rows_inserted_total}, summed over its ingest types. */
    static long rowsInserted(ChildProcess vm) throws IOException {
        Matcher m = Pattern.compile("(?m)^vm_rows_inserted_total\\{[^}]*\\} (\\d+)$")
                .matcher(Servers.get(vm, "/metrics"));
        long n = 0;
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }

    private static String selfMetrics(ChildProcess ingest) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : Servers.get(ingest, "/metrics").split("\n")) {
            if (line.startsWith("central_ingest_") && !line.contains("robots_online")) {
                sb.append("  ").append(line).append('\n');
            }
        }
        return sb.toString();
    }

    static Duration duration(String s) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m)").matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("duration '" + s + "': use e.g. 500ms, 30s, 2m");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
