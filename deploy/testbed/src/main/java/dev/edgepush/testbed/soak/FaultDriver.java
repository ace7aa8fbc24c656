package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.FaultProxy;
import dev.edgepush.testbed.GoDuration;
import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Runs the planned faults against the fleet: one thread per lane (each robot, and the central
 * side), each fault started and ended at its planned time relative to the soak's start. Records
 * when each fault really started and ended; a fault that could not be applied or undone is
 * recorded with its error and the soak goes on (the restore step puts everything back).
 */
final class FaultDriver {
    /**
     * A fault as it ran.
     *
     * @param fault the plan
     * @param startedMs when it really started (ms since the soak started)
     * @param endedMs when it was really over
     * @param error what went wrong, or empty
     */
    record Ran(Fault fault, long startedMs, long endedMs, String error) {}

    private final Fleet fleet;
    private final long t0Nanos;
    private final boolean breakAgent;
    private final long seed;
    private final Consumer<String> log;
    private final List<Ran> ran = new ArrayList<>();
    private final List<Thread> lanes = new ArrayList<>();

    FaultDriver(Fleet fleet, long t0Nanos, boolean breakAgent, long seed, Consumer<String> log) {
        this.fleet = fleet;
        this.t0Nanos = t0Nanos;
        this.breakAgent = breakAgent;
        this.seed = seed;
        this.log = log;
    }

    /** Starts one thread per lane. */
    void start(List<Fault> plan) {
        for (int lane = 0; lane <= fleet.robots.size(); lane++) {
            List<Fault> mine = new ArrayList<>();
            for (Fault f : plan) {
                if (f.robot() == lane) {
                    mine.add(f);
                }
            }
            Random rnd = new Random(seed * 1_000_003L + lane);
            Thread t = new Thread(() -> runLane(mine, rnd), "soak-lane-" + (lane == 0 ? "central" : "r" + lane));
            t.setDaemon(true);
            t.start();
            lanes.add(t);
        }
    }

    /** Waits for every lane to finish its last fault. */
    void await(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        for (Thread t : lanes) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }

    /** The faults run so far, by start time. */
    synchronized List<Ran> ran() {
        List<Ran> out = new ArrayList<>(ran);
        out.sort(java.util.Comparator.comparingLong(Ran::startedMs));
        return out;
    }

    long nowMs() {
        return (System.nanoTime() - t0Nanos) / 1_000_000;
    }

    private void sleepUntil(long ms) throws InterruptedException {
        long wait = ms - nowMs();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    private void runLane(List<Fault> faults, Random rnd) {
        for (Fault f : faults) {
            try {
                sleepUntil(f.startMs());
            } catch (InterruptedException e) {
                return;
            }
            long started = nowMs();
            String error = "";
            log.accept("fault start: " + f.describe());
            try {
                apply(f, rnd);
            } catch (IOException | RuntimeException e) {
                error = e.toString();
                log.accept("fault error: " + f.describe() + ": " + e);
            } catch (InterruptedException e) {
                return;
            }
            long ended = nowMs();
            log.accept("fault end:   " + f.describe());
            synchronized (this) {
                ran.add(new Ran(f, started, ended, error));
            }
        }
    }

    private void apply(Fault f, Random rnd) throws IOException, InterruptedException {
        Robot robot = f.robot() == 0 ? null : fleet.robots.get(f.robot() - 1);
        switch (f.kind()) {
            case OUTAGE -> {
                if (Fault.CAPPED_LINK.equals(f.detail())) {
                    noteLiveRate(robot);
                }
                robot.proxy.mode(FaultProxy.Mode.CUT);
                try {
                    if (f.killsAgent()) {
                        sleepUntil(f.startMs() + f.killOffsetMs());
                        killAndRestart(robot, f.startMs() + f.killOffsetMs() + f.killDownMs());
                    }
                    if (Fault.DISK_CAP.equals(f.detail())) {
                        untilDiskCapOverflows(robot, f.endMs());
                    } else {
                        sleepUntil(f.endMs());
                    }
                } finally {
                    robot.proxy.mode(FaultProxy.Mode.PASS);
                }
            }
            case BLACKHOLE -> {
                robot.proxy.mode(FaultProxy.Mode.BLACKHOLE);
                try {
                    sleepUntil(f.endMs());
                } finally {
                    robot.proxy.mode(FaultProxy.Mode.PASS);
                }
            }
            case SLOW_LINK -> {
                boolean capped = Fault.CAPPED_LINK.equals(f.detail());
                long latency = capped ? 0 : 100 + rnd.nextInt(201);
                long bps = capped ? robot.cappedBytesPerSecond : (16 + rnd.nextInt(49)) * 1024L;
                log.accept("slow link " + robot.name + ": " + latency + " ms each way, "
                        + (capped ? bps + " bytes/s" : bps / 1024 + " KiB/s"));
                robot.proxy.latencyMs(latency);
                robot.proxy.bytesPerSecond(bps);
                reconnect(robot.proxy); // the cap applies to new connections
                try {
                    sleepUntil(f.endMs());
                } finally {
                    robot.proxy.latencyMs(0);
                    robot.proxy.bytesPerSecond(0);
                    reconnect(robot.proxy);
                }
            }
            case AGENT_KILL -> killAndRestart(robot, f.endMs());
            case SENSOR -> {
                String form = "mode=" + URLEncoder.encode(f.detail(), StandardCharsets.UTF_8) + "&duration="
                        + GoDuration.format(Duration.ofMillis(f.durationMs()));
                Http.Response r = Http.post(robot.sensorUrl() + "/inject", form, Duration.ofSeconds(10));
                if (r.status() != 200) {
                    throw new IOException("POST /inject " + form + " answered " + r.status() + ": "
                            + r.body().trim());
                }
                sleepUntil(f.endMs());
            }
            case INGEST_KILL -> {
                fleet.ingest.kill9();
                sleepUntil(f.endMs());
                startWithRetries(fleet.ingest);
            }
            case STORAGE_RESTART -> {
                fleet.vm.terminate(Duration.ofSeconds(30));
                sleepUntil(f.endMs());
                startWithRetries(fleet.vm);
            }
            default -> throw new IllegalStateException("unhandled fault kind " + f.kind());
        }
    }

    /**
     * Notes the link cap of {@code robot}'s capped-link phase: one and a half times its live upload
     * rate (compressed bytes a sample, from its agent's counters, times the samples it buffers a
     * second since it started), plus 600 bytes/s for each second's request headers; at least 1 KiB/s.
     * Its backlog then drains at about half the live rate.
     */
    private void noteLiveRate(Robot robot) {
        double bytes =
                robot.agentMetricSum("edge_agent_remote_write_bytes_total").orElse(0);
        double sent = robot.agentMetricSum("edge_agent_samples_sent_total").orElse(0);
        double buffered =
                robot.agentMetricSum("edge_agent_samples_buffered_total").orElse(0);
        double seconds = Math.max(1, (System.currentTimeMillis() - robot.startedAtMs) / 1000.0);
        double live = sent > 0 ? bytes / sent * buffered / seconds : 0;
        robot.cappedBytesPerSecond = Math.max(1024, (long) (1.5 * live) + 600);
        log.accept(String.format(
                Locale.ROOT,
                "capped link %s: it uploads about %.0f bytes/s of samples; its link will be capped at %d bytes/s",
                robot.name,
                live,
                robot.cappedBytesPerSecond));
    }

    /**
     * Waits until {@code robot}'s agent counts samples dropped for its disk cap, then 3 s more (the
     * trim is done and logged), at most until {@code latestMs}.
     */
    private void untilDiskCapOverflows(Robot robot, long latestMs) throws InterruptedException {
        while (nowMs() < latestMs) {
            double dropped = robot.agentMetric("edge_agent_samples_dropped_total", "reason=\"disk_full\"")
                    .orElse(0);
            if (dropped > 0) {
                log.accept("disk cap " + robot.name + ": its agent dropped " + (long) dropped
                        + " samples for the cap; the outage ends in 3 s");
                sleepUntil(Math.min(latestMs, nowMs() + 3_000));
                return;
            }
            Thread.sleep(500);
        }
        log.accept("disk cap " + robot.name + ": no sample dropped for the cap by the end of its outage");
    }

    private void killAndRestart(Robot robot, long restartAtMs) throws IOException, InterruptedException {
        robot.killAgent();
        log.accept("kill -9 edge-agent " + robot.name + (breakAgent ? " (and wipe its buffer: -breakAgent)" : ""));
        sleepUntil(restartAtMs);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                robot.restartAgent(breakAgent);
                return;
            } catch (IOException e) {
                last = e;
                robot.agent.kill9();
            }
        }
        throw last;
    }

    private static void startWithRetries(ChildProcess p) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                Fleet.start(p);
                return;
            } catch (IOException e) {
                last = e;
                p.kill9();
            }
        }
        throw last;
    }

    /** Drops the proxy's open connections so the agent reconnects under the new link settings. */
    static void reconnect(FaultProxy proxy) {
        proxy.mode(FaultProxy.Mode.CUT);
        proxy.mode(FaultProxy.Mode.PASS);
    }
}
