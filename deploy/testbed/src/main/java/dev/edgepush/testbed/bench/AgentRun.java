package dev.edgepush.testbed.bench;

import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One agent's run, start to finish, in its own temporary directory: a fresh VictoriaMetrics, the
 * simulated targets (one child JVM), the agent; warm-up, steady window, outage, drain, loss check;
 * then everything it started is stopped. Nothing else runs meanwhile, so the agent has the CPU
 * to itself apart from its targets and its remote.
 */
final class AgentRun {
    private static final Pattern LISTENING = Pattern.compile("sensor-sim listening on http://([^/]+)/metrics");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long the remote gets to hold every answered scrape once the agent reported it drained. */
    private static final Duration LOSS_CHECK_TIMEOUT = Duration.ofSeconds(60);

    private static final long POLL_MS = 200;
    private static final double KIB_PER_MIB = 1024;

    private final BenchFlags flags;
    private final AgentKind kind;
    /** The {@code -agents} entry: the agent's name and its own flags, if any; the results' name. */
    private final String label;

    private final Path repo;
    private final Path logs;
    private final ChildProcesses children;

    AgentRun(BenchFlags flags, String entry, Path repo, Path logs, ChildProcesses children) {
        this.flags = flags;
        this.kind = AgentKind.of(BenchFlags.agentName(entry));
        this.label = entry;
        this.repo = repo;
        this.logs = logs;
        this.children = children;
    }

    AgentResult run() throws IOException {
        Path work = Files.createTempDirectory("bench-agents-" + kind.agentName + "-");
        Files.createDirectories(logs);
        try {
            return runIn(work);
        } finally {
            children.stopAll();
            deleteTree(work);
        }
    }

    private AgentResult runIn(Path work) throws IOException {
        VictoriaMetrics vm =
                children.startVictoriaMetrics(work.resolve("vm-data"), logs.resolve("victoria-metrics.log"));
        say("victoria-metrics on 127.0.0.1:" + vm.port);
        IngestHop hop = flags.via().isEmpty()
                ? null
                : IngestHop.start(repo, work, vm.writeUrl(), logs.resolve(IngestHop.NAME + ".log"), children);
        if (hop != null) {
            say(IngestHop.NAME + " at " + hop.writeUrl() + ", forwarding to victoria-metrics");
        }

        List<String> targets = startTargets();
        say(targets.size() + " targets x " + flags.series() + " series, e.g. " + targets.get(0));
        Path config = work.resolve("scrape.yml");
        Files.writeString(config, scrapeConfig(targets, flags.interval()));

        Path agentData = work.resolve("agent-data");
        int agentPort = Http.freePort();
        List<String> cmd = new ArrayList<>(
                kind.command(repo, config, hop == null ? vm.writeUrl() : hop.writeUrl(), agentData, agentPort));
        if (hop != null) {
            cmd.add(IngestHop.tokenFlag());
        }
        cmd.addAll(BenchFlags.agentFlags(label));
        Files.writeString(logs.resolve("command.txt"), String.join(" ", cmd) + "\n");
        long startedNanos = System.nanoTime();
        ChildProcess agent = children.start(kind.agentName, agentPort, cmd, logs.resolve(kind.agentName + ".log"));
        waitForMetrics(agent, agentPort);
        say("started pid " + agent.pid() + " on 127.0.0.1:" + agentPort + "; warm-up "
                + flags.warmup().toSeconds() + " s");
        sleepWatching(agent, flags.warmup());

        // Steady window.
        say("steady window " + flags.steady().toSeconds() + " s");
        PromText before = metrics(agentPort);
        PromText hopBefore = hop == null ? null : hop.metrics();
        ProcFiles.Reading first = ProcFiles.read(agent.pid());
        long t0 = System.nanoTime();
        long steadyEnd = t0 + flags.steady().toNanos();
        long hwmKiB = first.hwmKiB();
        while (System.nanoTime() < steadyEnd) {
            Sleep.millis(Math.min(1000, Math.max(1, (steadyEnd - System.nanoTime()) / 1_000_000)));
            alive(agent);
            hwmKiB = Math.max(hwmKiB, ProcFiles.read(agent.pid()).hwmKiB());
        }
        ProcFiles.Reading last = ProcFiles.read(agent.pid());
        double steadySeconds = (System.nanoTime() - t0) / 1e9;
        PromText after = metrics(agentPort);
        PromText hopAfter = hop == null ? null : hop.metrics();
        hwmKiB = Math.max(hwmKiB, last.hwmKiB());
        double cpuPerMinute = (last.cpuSeconds() - first.cpuSeconds()) / steadySeconds * 60;
        double cpuFromStart = last.cpuSeconds() / ((System.nanoTime() - startedNanos) / 1e9) * 60;
        double wireSamples = kind.wireSamples(after) - kind.wireSamples(before);
        double wireBytesPerSample =
                wireSamples <= 0 ? Double.NaN : (kind.wireBytes(after) - kind.wireBytes(before)) / wireSamples;
        say(String.format(
                "steady: VmHWM %.1f MiB, CPU %.2f s/min (%.2f from start), %.2f wire B/sample (agent's count)",
                hwmKiB / KIB_PER_MIB, cpuPerMinute, cpuFromStart, wireBytesPerSample));
        if (hop != null) {
            double received = IngestHop.samplesReceived(hopAfter) - IngestHop.samplesReceived(hopBefore);
            wireBytesPerSample = received <= 0
                    ? Double.NaN
                    : (IngestHop.bytesReceived(hopAfter) - IngestHop.bytesReceived(hopBefore)) / received;
            say(String.format(
                    "steady: %.2f wire B/sample as %s received them (%.0f samples)",
                    wireBytesPerSample, IngestHop.NAME, received));
        }

        // Outage.
        String remote = hop == null ? "victoria-metrics" : IngestHop.NAME;
        say("outage " + flags.outage().toSeconds() + " s: stopping " + remote);
        double bufferedBefore = kind.samplesBuffered(metrics(agentPort));
        if (hop == null) {
            vm.stop();
        } else {
            hop.stop();
        }
        long outageEnd = System.nanoTime() + flags.outage().toNanos();
        long peakDisk = DiskUsage.allocatedBytes(agentData);
        while (System.nanoTime() < outageEnd) {
            Sleep.millis(Math.min(1000, Math.max(1, (outageEnd - System.nanoTime()) / 1_000_000)));
            alive(agent);
            peakDisk = Math.max(peakDisk, DiskUsage.allocatedBytes(agentData));
        }
        PromText outageMetrics = metrics(agentPort);
        long outageSamples = Math.round(kind.samplesBuffered(outageMetrics) - bufferedBefore);
        say("outage over: " + outageSamples + " samples buffered, peak " + peakDisk + " B on disk; "
                + kind.backlog(outageMetrics) + "; restarting " + remote);

        // Drain.
        if (hop == null) {
            vm.start();
        } else {
            hop.start();
        }
        long restartedAt = System.nanoTime();
        double drainSeconds = Double.NaN;
        double firstPushSeconds = Double.NaN;
        double pushesBefore = kind.successfulPushes(outageMetrics);
        long drainDeadline = restartedAt + flags.drainTimeout().toNanos();
        PromText m = outageMetrics;
        while (System.nanoTime() < drainDeadline) {
            alive(agent);
            m = metrics(agentPort);
            double since = (System.nanoTime() - restartedAt) / 1e9;
            if (Double.isNaN(firstPushSeconds) && kind.successfulPushes(m) > pushesBefore) {
                firstPushSeconds = since;
            }
            if (kind.drained(m, since)) {
                drainSeconds = since;
                break;
            }
            Sleep.millis(POLL_MS);
        }
        say(
                Double.isNaN(drainSeconds)
                        ? "drain did not finish within " + flags.drainTimeout().toSeconds() + " s; " + kind.backlog(m)
                        : String.format(
                                "drained in %.1f s (first 2xx after %.1f s); %s",
                                drainSeconds, firstPushSeconds, kind.backlog(m)));

        // Loss check: every scrape answered so far must reach the remote.
        Map<String, Long> answered = new LinkedHashMap<>();
        for (String t : targets) {
            answered.put(t, scrapesAnswered(t));
        }
        long expected = answered.values().stream().mapToLong(Long::longValue).sum();
        long stored = 0;
        long lossDeadline = System.nanoTime() + LOSS_CHECK_TIMEOUT.toNanos();
        while (true) {
            stored = StoredScrapes.in(vm, answered);
            if (stored >= expected || System.nanoTime() > lossDeadline) {
                break;
            }
            Sleep.millis(1000);
        }
        long runHwmKiB = Math.max(hwmKiB, ProcFiles.read(agent.pid()).hwmKiB());
        say("loss check: " + stored + " of " + expected + " answered scrapes in victoria-metrics");

        int exit = ChildProcesses.stop(agent);
        say("stopped (exit " + exit + ")");
        return new AgentResult(
                label,
                hwmKiB / KIB_PER_MIB,
                runHwmKiB / KIB_PER_MIB,
                cpuPerMinute,
                cpuFromStart,
                firstPushSeconds,
                drainSeconds,
                expected,
                expected - stored,
                outageSamples,
                peakDisk,
                wireBytesPerSample);
    }

    /** Starts the simulator JVM and returns its {@code host:port} targets. */
    List<String> startTargets() throws IOException {
        Path launcher = repo.resolve("deploy/testbed/bin/sensor-sim");
        ChildProcess sim = children.startPiped(
                "sensor-sim",
                List.of(
                        launcher.toString(),
                        "-listen=127.0.0.1:0",
                        "-instances=" + flags.targets(),
                        "-series=" + flags.series(),
                        "-seed=1"),
                logs.resolve("sensor-sim.log"));
        CompletableFuture<List<String>> read = CompletableFuture.supplyAsync(() -> {
            List<String> out = new ArrayList<>();
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(sim.stdout(), StandardCharsets.UTF_8));
                String line;
                while (out.size() < flags.targets() && (line = r.readLine()) != null) {
                    Matcher mm = LISTENING.matcher(line);
                    if (mm.find()) {
                        out.add(mm.group(1));
                    }
                }
            } catch (IOException e) {
                // reported below as too few targets
            }
            return out;
        });
        List<String> targets;
        try {
            targets = read.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            targets = List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (targets.size() != flags.targets()) {
            throw new IOException("sensor-sim started " + targets.size() + " of " + flags.targets() + " targets; see "
                    + logs.resolve("sensor-sim.log"));
        }
        return targets;
    }

    /** A Prometheus scrape config of one job over {@code targets}. */
    static String scrapeConfig(List<String> targets, Duration interval) {
        String i = BenchFlags.goDuration(interval);
        StringBuilder sb = new StringBuilder()
                .append("global:\n")
                .append("  scrape_interval: ")
                .append(i)
                .append('\n')
                .append("  scrape_timeout: ")
                .append(i)
                .append('\n')
                .append("scrape_configs:\n")
                .append("  - job_name: sensor\n")
                .append("    static_configs:\n")
                .append("      - targets:\n");
        for (String t : targets) {
            sb.append("          - '").append(t).append("'\n");
        }
        return sb.toString();
    }

    long scrapesAnswered(String target) throws IOException {
        int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
        String stats = Http.get(port, "/stats", Duration.ofSeconds(5));
        Matcher mm = Pattern.compile("\"scrapes_answered\":(\\d+)").matcher(stats);
        if (!mm.find()) {
            throw new IOException("no scrapes_answered in /stats of " + target + ": " + stats);
        }
        return Long.parseLong(mm.group(1));
    }

    void waitForMetrics(ChildProcess agent, int port) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            alive(agent);
            try {
                Http.get(port, "/metrics", Duration.ofSeconds(2));
                return;
            } catch (IOException e) {
                Sleep.millis(100); // starting
            }
        }
        throw new IOException(kind.agentName + " did not serve /metrics within " + START_TIMEOUT.toSeconds()
                + " s; see " + logs.resolve(kind.agentName + ".log"));
    }

    private void sleepWatching(ChildProcess agent, Duration d) throws IOException {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            alive(agent);
            Sleep.millis(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    void alive(ChildProcess agent) throws IOException {
        if (!agent.isAlive()) {
            throw new IOException(kind.agentName + " exited with " + agent.exitValue() + "; see "
                    + logs.resolve(kind.agentName + ".log"));
        }
    }

    static PromText metrics(int port) throws IOException {
        return PromText.parse(Http.get(port, "/metrics", Duration.ofSeconds(10)));
    }

    private void say(String what) {
        System.err.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " bench: " + label + ": " + what);
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
