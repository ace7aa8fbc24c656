package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.FaultProxy;
import dev.edgepush.testbed.GoDuration;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One soak run, start to verdict: start the fleet, drive the planned faults for the configured
 * duration while sampling backlogs, restore everything, stop the sensors answering (so the set
 * of answered scrapes is final), wait for every backlog to drain, then look up every answered
 * scrape in VictoriaMetrics and write the report.
 */
final class SoakRunner {
    /** How often backlog and delivery are sampled for the plot. */
    private static final long SAMPLE_EVERY_MS = 2_000;

    private final SoakConfig cfg;
    private final PrintStream out;
    private final Timeline timeline = new Timeline();
    private PrintWriter logFile;

    SoakRunner(SoakConfig cfg, PrintStream out) {
        this.cfg = cfg;
        this.out = out;
    }

    /** The verdict line and whether nothing was lost. */
    record Result(String lastLine, boolean passed) {}

    Result run() throws IOException, InterruptedException {
        Files.createDirectories(cfg.out().resolve("logs"));
        logFile = new PrintWriter(
                Files.newBufferedWriter(
                        cfg.out().resolve("logs/soak.log"),
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND),
                true);
        long durationMs = cfg.duration().toMillis();
        List<Fault> plan = FaultSchedule.plan(cfg.seed(), cfg.robots(), durationMs);
        say(String.format(
                Locale.ROOT,
                "soak: seed=%d robots=%d duration=%s faults=%d out=%s%s",
                cfg.seed(),
                cfg.robots(),
                GoDuration.format(cfg.duration()),
                plan.size(),
                cfg.out(),
                cfg.breakAgent() ? " BREAK-AGENT (data loss expected)" : ""));
        for (Fault f : plan) {
            log("planned: " + f.describe());
        }
        long wallStart = System.currentTimeMillis();
        Fleet fleet = Fleet.start(cfg);
        Thread hook = new Thread(fleet::close, "soak-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-sampler");
            t.setDaemon(true);
            return t;
        });
        try {
            writeState(fleet);
            say("soak: fleet up in " + (System.currentTimeMillis() - wallStart) / 1000 + " s: victoria-metrics "
                    + fleet.vmUrl() + ", central-ingest " + fleet.ingestUrl() + ", state "
                    + cfg.out().resolve("state.json"));
            long t0 = System.nanoTime();
            List<Fault> scripted = ScriptedFaults.plan(cfg, System.currentTimeMillis());
            for (Fault f : scripted) {
                log("planned (scripted): " + f.describe());
            }
            plan = new ArrayList<>(plan);
            plan.addAll(scripted);
            plan.sort(Comparator.comparingLong(Fault::startMs).thenComparingInt(Fault::robot));
            sampler.scheduleAtFixedRate(() -> sample(fleet, t0), 0, SAMPLE_EVERY_MS, TimeUnit.MILLISECONDS);
            FaultDriver driver = new FaultDriver(fleet, t0, cfg.breakAgent(), cfg.seed(), this::log);
            driver.start(plan);
            long nextProgress = 30_000;
            while (driver.nowMs() < durationMs) {
                Thread.sleep(Math.min(1000, Math.max(1, durationMs - driver.nowMs())));
                if (driver.nowMs() >= nextProgress) {
                    nextProgress += durationMs > 600_000 ? 300_000 : 30_000;
                    say(progress(fleet, driver.nowMs()));
                }
            }
            driver.await(Duration.ofMinutes(5));
            long restoreMs = driver.nowMs();
            say("soak: faults over at " + restoreMs / 1000 + " s; restoring and draining");
            restore(fleet);
            for (Robot r : fleet.robots) {
                r.sensor.stopAnswering();
            }
            boolean drained = drain(fleet, System.currentTimeMillis());
            long drainedMs = driver.nowMs();
            say("soak: " + (drained ? "drained" : "NOT drained within " + GoDuration.format(cfg.drainTimeout()))
                    + " after " + (drainedMs - restoreMs) / 1000 + " s");
            SoakChecks after = new SoakChecks(cfg, this::log, this::say);
            List<LossCheck> checks = after.check(fleet);
            List<CompletenessCheck> accounting = after.compareAccounting(fleet, checks);
            int mismatches =
                    (int) accounting.stream().filter(a -> a.mismatch() != null).count();
            ClockCheck clock = after.checkClock(fleet);
            sampler.shutdownNow();
            sample(fleet, t0);
            List<FaultDriver.Ran> ran = driver.ran();
            String line = SoakChecks.verdict(checks, ran, fleet)
                    + (clock == null ? "" : " " + clock.verdict())
                    + " completeness_mismatches=" + mismatches;
            Report.write(cfg, plan, ran, checks, drained, restoreMs, drainedMs, wallStart, line, timeline, clock);
            Files.writeString(
                    cfg.out().resolve("report.svg"),
                    SvgPlot.render(
                            "edgepush soak, seed " + cfg.seed() + ", " + cfg.robots() + " robots, "
                                    + GoDuration.format(cfg.duration()) + (cfg.breakAgent() ? " (broken agent)" : "")
                                    + ": " + line.substring("soak: ".length()),
                            timeline.points(),
                            asRun(ran),
                            fleet.robots.size(),
                            restoreMs,
                            driver.nowMs(),
                            cfg.cappedLinkRobot() ? "r" + cfg.cappedLinkRobotNumber() : null));
            for (LossCheck c : checks) {
                if (!c.lost().isEmpty()) {
                    say("soak: " + c.robot() + " lost " + c.lost().size() + " scrapes, first seqs "
                            + c.lost().subList(0, Math.min(20, c.lost().size())));
                }
            }
            say("soak: report " + cfg.out().resolve("report.json") + " and "
                    + cfg.out().resolve("report.svg") + "; took " + (System.currentTimeMillis() - wallStart) / 1000
                    + " s end to end");
            int lost = checks.stream().mapToInt(c -> c.lost().size()).sum();
            say(line);
            return new Result(
                    line, lost == 0 && drained && mismatches == 0 && (clock == null || clock.problem() == null));
        } finally {
            sampler.shutdownNow();
            fleet.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
            logFile.close();
        }
    }

    private static List<Fault> asRun(List<FaultDriver.Ran> ran) {
        List<Fault> out = new ArrayList<>();
        for (FaultDriver.Ran r : ran) {
            out.add(new Fault(
                    r.fault().kind(),
                    r.fault().robot(),
                    r.startedMs(),
                    r.endedMs() - r.startedMs(),
                    r.fault().detail()));
        }
        return out;
    }

    /** Every link back to normal, every process up, every sensor failure cleared. */
    private void restore(Fleet fleet) throws IOException, InterruptedException {
        for (Robot r : fleet.robots) {
            r.proxy.latencyMs(0);
            r.proxy.bytesPerSecond(0);
            r.proxy.mode(FaultProxy.Mode.PASS);
            for (String mode : FaultSchedule.SENSOR_MODES) {
                r.sensor.inject(mode, Duration.ZERO);
            }
        }
        if (!fleet.vm.isAlive()) {
            log("restore: starting victoria-metrics");
            Fleet.start(fleet.vm);
        }
        if (!fleet.ingest.isAlive()) {
            log("restore: starting central-ingest");
            Fleet.start(fleet.ingest);
        }
        for (Robot r : fleet.robots) {
            if (!r.agent.isAlive()) {
                log("restore: starting edge-agent " + r.name);
                r.restartAgent(false);
            }
        }
    }

    /**
     * Waits until every agent, then central-ingest, holds nothing from before the sensors stopped
     * answering at {@code stoppedAtMs}, at most the drain timeout. Agents keep scraping the stopped
     * sensors (their {@code up} = 0 series), so each agent needs to be seen once with nothing older
     * than the stop pending ({@link Robot#drainedSince}); then central-ingest must have forwarded
     * what its WAL held at that moment: the WAL seen at 0, or as many samples forwarded since then
     * as were pending then. The {@code up} = 0 pushes keep arriving, so the WAL at 0 alone is a
     * window of milliseconds between a forward and the next push, which a poll can miss for the
     * whole drain timeout. Whether every answered scrape arrived is checked in VictoriaMetrics
     * afterwards, not here. When the time is up, says who was not drained.
     */
    private boolean drain(Fleet fleet, long stoppedAtMs) throws InterruptedException {
        long deadline = System.nanoTime() + cfg.drainTimeout().toNanos();
        Thread.sleep(2000); // a scrape answered just before the stop is being appended
        Set<String> drained = new HashSet<>();
        OptionalDouble wal = OptionalDouble.empty();
        double[] walAtDrain = null; // {pending, forwarded_total} when every agent was first seen drained
        while (System.nanoTime() < deadline) {
            for (Robot r : fleet.robots) {
                if (!drained.contains(r.name) && r.drainedSince(stoppedAtMs)) {
                    drained.add(r.name);
                    log("drain: edge-agent " + r.name + " holds nothing from before the stop (pending samples "
                            + r.lastPending() + ")");
                }
            }
            if (drained.size() == fleet.robots.size()) {
                Optional<String> metrics = fleet.ingestMetrics();
                wal = metrics.map(m -> Http.metric(m, "central_ingest_wal_pending_samples"))
                        .orElse(OptionalDouble.empty());
                OptionalDouble forwarded = metrics.map(m -> Http.metric(m, "central_ingest_samples_forwarded_total"))
                        .orElse(OptionalDouble.empty());
                if (wal.orElse(-1) == 0) {
                    log("drain: central-ingest has 0 WAL pending samples");
                    return true;
                }
                if (wal.isPresent() && forwarded.isPresent()) {
                    if (walAtDrain == null || forwarded.getAsDouble() < walAtDrain[1]) {
                        // the first look, or central-ingest restarted (its counter began again)
                        walAtDrain = new double[] {wal.getAsDouble(), forwarded.getAsDouble()};
                    } else if (forwarded.getAsDouble() - walAtDrain[1] >= walAtDrain[0]) {
                        log("drain: central-ingest forwarded " + (long) (forwarded.getAsDouble() - walAtDrain[1])
                                + " samples since its WAL held " + (long) walAtDrain[0] + " (now "
                                + (long) wal.getAsDouble()
                                + ", the agents' up=0 pushes)");
                        return true;
                    }
                }
            }
            Thread.sleep(200);
        }
        for (Robot r : fleet.robots) {
            if (!drained.contains(r.name)) {
                say("drain: edge-agent " + r.name + " never seen drained; last pending samples " + r.lastPending()
                        + ", process " + (r.agent.isAlive() ? "alive" : "not running"));
            }
        }
        if (drained.size() == fleet.robots.size()) {
            say("drain: central-ingest WAL pending samples never 0; last "
                    + (wal.isPresent() ? wal.getAsDouble() : "no answer") + ", process "
                    + (fleet.ingest.isAlive() ? "alive" : "not running"));
        }
        return false;
    }

    private void sample(Fleet fleet, long t0) {
        try {
            double pending = 0;
            double cappedPending = Double.NaN;
            double cappedLag = Double.NaN;
            for (Robot r : fleet.robots) {
                double p = r.pendingSamples();
                pending += p;
                if (r.number == cfg.cappedLinkRobotNumber()) {
                    cappedPending = p;
                    cappedLag = fleet.liveLagSeconds(r.name);
                }
            }
            double wal = fleet.walPending();
            double forwarded =
                    fleet.ingestMetric("central_ingest_samples_forwarded_total").orElse(Double.NaN);
            timeline.add((System.nanoTime() - t0) / 1_000_000, pending, wal, forwarded, cappedLag, cappedPending);
        } catch (RuntimeException e) {
            log("sampler: " + e);
        }
    }

    private String progress(Fleet fleet, long nowMs) {
        List<Timeline.Point> p = timeline.points();
        Timeline.Point last = p.isEmpty() ? new Timeline.Point(0, 0, 0, 0) : p.get(p.size() - 1);
        long answered =
                fleet.robots.stream().mapToLong(r -> r.sensor.scrapesAnswered()).sum();
        return String.format(
                Locale.ROOT,
                "soak: t=%ds scrapes=%d agents_pending=%.0f wal_pending=%.0f delivered=%.0f",
                nowMs / 1000,
                answered,
                last.agentsPending(),
                last.walPending(),
                timeline.delivered());
    }

    private void writeState(Fleet fleet) throws IOException {
        StringBuilder sb = new StringBuilder("{\n  \"pid\": ")
                .append(ProcessHandle.current().pid())
                .append(",\n  \"started\": \"")
                .append(Instant.now())
                .append("\",\n  \"victoria_metrics\": \"")
                .append(fleet.vmUrl())
                .append("\",\n  \"central_ingest\": \"")
                .append(fleet.ingestUrl())
                .append("\",\n  \"robots\": [\n");
        for (int i = 0; i < fleet.robots.size(); i++) {
            Robot r = fleet.robots.get(i);
            sb.append("    {\"robot\": \"")
                    .append(r.name)
                    .append("\", \"sensor\": \"")
                    .append(r.sensorUrl())
                    .append("\", \"agent\": \"")
                    .append(r.agentUrl())
                    .append("\", \"proxy_port\": ")
                    .append(r.proxy.port())
                    .append('}')
                    .append(i + 1 < fleet.robots.size() ? ",\n" : "\n");
        }
        sb.append("  ]\n}\n");
        Files.writeString(cfg.out().resolve("state.json"), sb);
    }

    private synchronized void log(String line) {
        logFile.println(Instant.now() + " " + line);
    }

    private void say(String line) {
        log(line);
        out.println(line);
        out.flush();
    }

    /** For tests and the CLI: where the state of a run lives. */
    static Path stateFile(Path out) {
        return out.resolve("state.json");
    }
}
