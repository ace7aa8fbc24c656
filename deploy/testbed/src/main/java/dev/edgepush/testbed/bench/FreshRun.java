package dev.edgepush.testbed.bench;

import dev.edgepush.testbed.FaultProxy;
import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One agent's "time to fresh data" run, in its own temporary directory: a VictoriaMetrics, a
 * {@link FaultProxy} in front of it, the simulated targets and the agent, which writes through the
 * proxy. After the warm-up the proxy takes the link down for {@code -outage} (VictoriaMetrics stays
 * up and queryable), then passes traffic again (optionally capped); from that moment, {@code T0},
 * VictoriaMetrics is polled until every target's newest scrape and the whole outage backlog are
 * stored ({@link FreshTimeline}) and the lag is back within a few seconds of the scrape interval;
 * then the loss check of every answered scrape.
 *
 * <p>Polling: each poll first asks VictoriaMetrics to make what it accepted searchable
 * ({@code /internal/force_flush}), then reads {@code sensor_scrape_seq} through
 * {@code /api/v1/export}, which reads the storage directly (no rollup-result cache; the server
 * also runs with {@code -search.latencyOffset=0s}). So the figures are the agent's delivery, not
 * VictoriaMetrics' own buffering of about a second before new rows become searchable. Until the
 * newest data is in, a quick poll (samples since {@code T0} only) runs about every 200 ms; a full
 * poll (every stored scrape, for the backlog and the lag curve) about every second.
 */
final class FreshRun {
    private static final long QUICK_POLL_MS = 200;
    private static final long FULL_POLL_MS = 1000;
    private static final Duration LOSS_CHECK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    /** Lag above the scrape interval that still counts as current: delivery and flush delays. */
    private static final Duration CAUGHT_UP_SLACK = Duration.ofSeconds(3);

    private static final String SEQ = "sensor_scrape_seq";
    private static final String UP = "up{job=\"sensor\"}";

    private final BenchFlags flags;
    private final FreshFlags fresh;
    private final AgentKind kind;
    private final Path repo;
    private final Path logs;
    private final ChildProcesses children;
    private final AgentRun base;

    FreshRun(BenchFlags flags, FreshFlags fresh, AgentKind kind, Path repo, Path logs, ChildProcesses children) {
        this.flags = flags;
        this.fresh = fresh;
        this.kind = kind;
        this.repo = repo;
        this.logs = logs;
        this.children = children;
        this.base = new AgentRun(flags, kind.agentName, repo, logs, children);
    }

    FreshResult run() throws IOException {
        Path work = Files.createTempDirectory("bench-fresh-" + kind.agentName + "-");
        Files.createDirectories(logs);
        try {
            return runIn(work);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            children.stopAll();
            AgentRun.deleteTree(work);
        }
    }

    private FreshResult runIn(Path work) throws IOException, InterruptedException {
        VictoriaMetrics vm =
                children.startVictoriaMetrics(work.resolve("vm-data"), logs.resolve("victoria-metrics.log"));
        try (FaultProxy proxy =
                new FaultProxy(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", vm.port))) {
            say("victoria-metrics on 127.0.0.1:" + vm.port + ", the agent writes through a proxy on 127.0.0.1:"
                    + proxy.port());
            List<String> targets = base.startTargets();
            say(targets.size() + " targets x " + flags.series() + " series, e.g. " + targets.get(0));
            Path config = work.resolve("scrape.yml");
            Files.writeString(config, AgentRun.scrapeConfig(targets, flags.interval()));

            int agentPort = Http.freePort();
            List<String> cmd = new java.util.ArrayList<>(kind.command(
                    repo,
                    config,
                    "http://127.0.0.1:" + proxy.port() + "/api/v1/write",
                    work.resolve("agent-data"),
                    agentPort));
            if (kind == AgentKind.EDGE_AGENT) {
                cmd.addAll(fresh.edgeAgentArgs());
            }
            Files.writeString(logs.resolve("command.txt"), String.join(" ", cmd) + "\n");
            ChildProcess agent = children.start(kind.agentName, agentPort, cmd, logs.resolve(kind.agentName + ".log"));
            base.waitForMetrics(agent, agentPort);
            say("started pid " + agent.pid() + "; warm-up " + flags.warmup().toSeconds() + " s");
            sleepWatching(agent, flags.warmup().toNanos());

            // Outage: the link, not the remote.
            Map<String, Long> answeredAtDown = answered(targets);
            double bufferedBefore = kind.samplesBuffered(AgentRun.metrics(agentPort));
            proxy.mode(fresh.linkDown());
            long downNanos = System.nanoTime();
            say("link down (" + fresh.linkDown() + ") for " + flags.outage().toSeconds() + " s");
            sleepWatching(agent, flags.outage().toNanos());
            PromText atUp = AgentRun.metrics(agentPort);
            Map<String, Long> answeredAtUp = answered(targets);
            long outageScrapes = sum(answeredAtUp) - sum(answeredAtDown);
            double outageSamples = kind.samplesBuffered(atUp) - bufferedBefore;
            double samplesPerScrape = outageScrapes <= 0 ? Double.NaN : outageSamples / outageScrapes;
            double pushesBefore = kind.successfulPushes(atUp);

            // Link-up: T0.
            if (fresh.linkBytesPerSecond() > 0) {
                proxy.linkBytesPerSecond(fresh.linkBytesPerSecond());
            }
            proxy.mode(FaultProxy.Mode.PASS);
            long t0Ms = System.currentTimeMillis();
            long t0Nanos = System.nanoTime();
            double outageSeconds = (t0Nanos - downNanos) / 1e9;
            say(String.format(
                    Locale.ROOT,
                    "link up after %.1f s%s: %d scrapes (%.0f samples) answered while down, %s",
                    outageSeconds,
                    fresh.linkBytesPerSecond() > 0 ? ", capped at " + fresh.linkBytesPerSecond() + " B/s" : "",
                    outageScrapes,
                    outageSamples,
                    kind.backlog(atUp)));

            FreshTimeline timeline = new FreshTimeline(t0Ms, answeredAtUp, samplesPerScrape);
            double firstPush = Double.NaN;
            long deadline = t0Nanos + flags.drainTimeout().toNanos();
            long nextFull = t0Nanos;
            long nextLog = t0Nanos + Duration.ofSeconds(10).toNanos();
            int quickPolls = 0;
            int fullPolls = 0;
            // Until fresh, drained and caught up (the lag curve back near the scrape interval), or the timeout.
            while (!(timeline.done() && caughtUp(timeline)) && System.nanoTime() < deadline) {
                long started = System.nanoTime();
                if (started >= nextFull) {
                    nextFull = Math.max(nextFull + FULL_POLL_MS * 1_000_000, started);
                    fullPolls++;
                    base.alive(agent);
                    Map<String, Long> answeredNow = answered(targets);
                    ScrapeSnapshot s = ScrapeSnapshot.parse(export(vm, Long.MIN_VALUE, SEQ, UP));
                    boolean wasFresh = !Double.isNaN(timeline.timeToFreshSeconds());
                    boolean wasDrained = !Double.isNaN(timeline.drainSeconds());
                    timeline.fullPoll(System.currentTimeMillis(), s, answeredNow);
                    report(timeline, wasFresh, wasDrained);
                    if (started >= nextLog) {
                        nextLog += Duration.ofSeconds(10).toNanos();
                        FreshTimeline.Point p =
                                timeline.points().get(timeline.points().size() - 1);
                        say(String.format(
                                Locale.ROOT,
                                "%.0f s after link-up: lag %.1f s, backlog %d scrapes",
                                p.sinceLinkUpSeconds(),
                                p.lagSeconds(),
                                p.backlogScrapes()));
                    }
                } else if (Double.isNaN(timeline.timeToFreshSeconds())) {
                    quickPolls++;
                    ScrapeSnapshot s = ScrapeSnapshot.parse(export(vm, t0Ms - FULL_POLL_MS, SEQ));
                    timeline.freshPoll(System.currentTimeMillis(), s);
                    report(timeline, false, true);
                }
                if (Double.isNaN(firstPush) && kind.successfulPushes(AgentRun.metrics(agentPort)) > pushesBefore) {
                    firstPush = (System.nanoTime() - t0Nanos) / 1e9;
                }
                long wakeAt = Double.isNaN(timeline.timeToFreshSeconds()) || Double.isNaN(firstPush)
                        ? Math.min(nextFull, started + QUICK_POLL_MS * 1_000_000)
                        : nextFull;
                long sleepMs = (wakeAt - System.nanoTime()) / 1_000_000;
                if (sleepMs > 0) {
                    Thread.sleep(sleepMs);
                }
            }
            double wireBytes = kind.wireBytes(AgentRun.metrics(agentPort)) - kind.wireBytes(atUp);
            say(String.format(
                    Locale.ROOT,
                    "%.0f bytes on the wire since link-up (%.2f B per backlog sample)",
                    wireBytes,
                    wireBytes / Math.max(1, outageSamples)));
            Path csv = flags.out().resolve("lag-" + kind.agentName + ".csv");
            Files.writeString(csv, timeline.csv());
            if (!timeline.done()) {
                say("drain timeout (" + flags.drainTimeout().toSeconds() + " s): time to fresh "
                        + ResultsReport.fmt(timeline.timeToFreshSeconds(), 1) + " s, drain not finished");
            }
            say("lag curve in " + csv + " (" + fullPolls + " full polls, " + quickPolls + " quick ones)");

            // Loss check: every scrape answered so far must reach the remote, unless it failed.
            Map<String, Long> answered = answered(targets);
            long expected = sum(answered);
            long stored;
            long failed;
            long lossDeadline = System.nanoTime() + LOSS_CHECK_TIMEOUT.toNanos();
            while (true) {
                stored = StoredScrapes.in(vm, answered);
                failed = ScrapeSnapshot.parse(export(vm, Long.MIN_VALUE, UP)).failedTotal();
                if (stored + failed >= expected || System.nanoTime() > lossDeadline) {
                    break;
                }
                Thread.sleep(1000);
            }
            say("loss check: " + stored + " of " + expected + " answered scrapes in victoria-metrics, " + failed
                    + " failed (up 0)");
            int exit = ChildProcesses.stop(agent);
            say("stopped (exit " + exit + ")");
            return new FreshResult(
                    kind.agentName,
                    outageSeconds,
                    fresh.linkBytesPerSecond(),
                    timeline.timeToFreshSeconds(),
                    firstPush,
                    timeline.drainSeconds(),
                    Math.max(0, timeline.backlogAtLinkUp()),
                    Double.isNaN(samplesPerScrape)
                            ? 0
                            : Math.round(Math.max(0, timeline.backlogAtLinkUp()) * samplesPerScrape),
                    expected,
                    failed,
                    Math.max(0, expected - stored - failed));
        }
    }

    /** Whether the lag of the last full poll is within {@link #CAUGHT_UP_SLACK} of the scrape interval. */
    private boolean caughtUp(FreshTimeline t) {
        List<FreshTimeline.Point> p = t.points();
        return !p.isEmpty()
                && p.get(p.size() - 1).lagSeconds()
                        <= (flags.interval().toMillis() + CAUGHT_UP_SLACK.toMillis()) / 1000.0;
    }

    private void report(FreshTimeline t, boolean wasFresh, boolean wasDrained) {
        if (!wasFresh && !Double.isNaN(t.timeToFreshSeconds())) {
            say(String.format(
                    Locale.ROOT, "fresh: newest scrapes stored %.1f s after link-up", t.timeToFreshSeconds()));
        }
        if (!wasDrained && !Double.isNaN(t.drainSeconds())) {
            say(String.format(Locale.ROOT, "drained: outage backlog stored %.1f s after link-up", t.drainSeconds()));
        }
    }

    /**
     * The series of {@code selectors} as {@code /api/v1/export} gives them after a flush, from
     * {@code sinceMs} on ({@link Long#MIN_VALUE}: all of it).
     */
    private static String export(VictoriaMetrics vm, long sinceMs, String... selectors) throws IOException {
        Http.get(vm.port, "/internal/force_flush", HTTP_TIMEOUT);
        StringBuilder q = new StringBuilder("/api/v1/export");
        for (String sel : selectors) {
            q.append(q.indexOf("?") < 0 ? '?' : '&')
                    .append("match[]=")
                    .append(URLEncoder.encode(sel, StandardCharsets.UTF_8));
        }
        if (sinceMs != Long.MIN_VALUE) {
            q.append("&start=").append(String.format(Locale.ROOT, "%.3f", sinceMs / 1000.0));
        }
        return Http.get(vm.port, q.toString(), HTTP_TIMEOUT);
    }

    private Map<String, Long> answered(List<String> targets) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String t : targets) {
            out.put(t, base.scrapesAnswered(t));
        }
        return out;
    }

    private static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    private void sleepWatching(ChildProcess agent, long nanos) throws IOException, InterruptedException {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            base.alive(agent);
            Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    private void say(String what) {
        System.err.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " bench: " + kind.agentName + ": " + what);
    }
}
