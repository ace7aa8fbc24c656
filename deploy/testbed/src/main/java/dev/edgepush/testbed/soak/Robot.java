package dev.edgepush.testbed.soak;

import dev.edgepush.testbed.FaultProxy;
import dev.edgepush.testbed.SensorServer;
import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * One simulated robot: its sensor service (in this JVM), its own fault proxy (in this JVM) on
 * the way to central-ingest, and a real edge-agent process with its own buffer directory and
 * bearer token. Remembers when its agent was killed and restarted, for the loss check.
 */
final class Robot implements AutoCloseable {
    final int number;
    final String name;
    final SensorServer sensor;
    final FaultProxy proxy;
    final ChildProcess agent;
    final int agentPort;
    final Path bufferDir;
    private final List<long[]> kills = new ArrayList<>();
    private volatile double lastPending;
    /** The link cap of a capped-link phase, set when its outage starts (see {@link FaultDriver}). */
    volatile long cappedBytesPerSecond;
    /** When its agent was first seen healthy (unix ms), set by {@link Fleet}. */
    volatile long startedAtMs = System.currentTimeMillis();

    Robot(int number, SensorServer sensor, FaultProxy proxy, ChildProcess agent, int agentPort, Path bufferDir) {
        this.number = number;
        this.name = "r" + number;
        this.sensor = sensor;
        this.proxy = proxy;
        this.agent = agent;
        this.agentPort = agentPort;
        this.bufferDir = bufferDir;
    }

    String agentUrl() {
        return "http://127.0.0.1:" + agentPort;
    }

    String sensorUrl() {
        return "http://127.0.0.1:" + sensor.port();
    }

    /** {@code kill -9} of the agent; records the instant it was gone. */
    void killAgent() throws InterruptedException {
        agent.kill9();
        synchronized (kills) {
            kills.add(new long[] {System.currentTimeMillis(), Long.MAX_VALUE});
        }
    }

    /**
     * Starts the agent again on the same port, buffer and token.
     *
     * @param wipeBuffer the deliberately broken mode: the buffer directory is deleted first, as a
     *     careless reprovisioning would, so the backlog is lost
     */
    void restartAgent(boolean wipeBuffer) throws IOException {
        if (wipeBuffer) {
            deleteTree(bufferDir);
        }
        synchronized (kills) {
            if (!kills.isEmpty() && kills.get(kills.size() - 1)[1] == Long.MAX_VALUE) {
                kills.get(kills.size() - 1)[1] = System.currentTimeMillis();
            }
        }
        Fleet.start(agent);
    }

    /** Each kill as {kill ms, restart ms} (restart {@code Long.MAX_VALUE} if it never came back). */
    List<long[]> kills() {
        synchronized (kills) {
            return List.copyOf(kills);
        }
    }

    /** The agent's self metric {@code name} with {@code label} (e.g. {@code reason="disk_full"}), if it answers. */
    OptionalDouble agentMetric(String name, String label) {
        try {
            Http.Response r = Http.get(agentUrl() + "/metrics", Duration.ofSeconds(3));
            return r.status() == 200 ? Http.metric(r.body(), name, label) : OptionalDouble.empty();
        } catch (IOException e) {
            return OptionalDouble.empty();
        }
    }

    /** The sum of the agent's self metric {@code name} over its labels, if it answers. */
    OptionalDouble agentMetricSum(String name) {
        try {
            Http.Response r = Http.get(agentUrl() + "/metrics", Duration.ofSeconds(3));
            return r.status() == 200 ? Http.sum(r.body(), name) : OptionalDouble.empty();
        } catch (IOException e) {
            return OptionalDouble.empty();
        }
    }

    /** The agent's pending samples now, or the last value seen while it is down. */
    double pendingSamples() {
        try {
            Http.Response r = Http.get(agentUrl() + "/metrics", Duration.ofSeconds(3));
            OptionalDouble v = Http.metric(r.body(), "edge_agent_buffer_pending_samples");
            if (r.status() == 200 && v.isPresent()) {
                lastPending = v.getAsDouble();
                return lastPending;
            }
        } catch (IOException e) {
            // down or busy: its backlog is still on disk, so the last value stands
        }
        return lastPending;
    }

    /**
     * Whether the agent answers and holds nothing scraped at or before {@code stoppedAtMs} (when its
     * sensor stopped answering): either nothing is pending, or the oldest pending scrape is younger
     * than the stop. The agent keeps scraping the stopped sensor ({@code up} = 0) once a second and
     * pushes once a second, so "0 pending" alone can be a window of a few milliseconds a second
     * that a poll misses for minutes when the two clocks run in phase.
     */
    boolean drainedSince(long stoppedAtMs) {
        long sinceStopMs = System.currentTimeMillis() - stoppedAtMs; // before the request: see below
        try {
            Http.Response r = Http.get(agentUrl() + "/metrics", Duration.ofSeconds(3));
            if (r.status() != 200) {
                return false;
            }
            OptionalDouble pending = Http.metric(r.body(), "edge_agent_buffer_pending_samples");
            OptionalDouble age = Http.metric(r.body(), "edge_agent_buffer_oldest_pending_age_seconds");
            if (pending.isEmpty()) {
                return false;
            }
            lastPending = pending.getAsDouble();
            if (lastPending == 0) {
                return true;
            }
            // The agent computed the age after sinceStopMs was taken, so age < sinceStop proves the
            // oldest pending scrape started after the stop. An age of 0 with samples pending means the
            // sender has not read the backlog yet (just restarted): not drained.
            double ageMs = age.orElse(0) * 1000;
            return ageMs > 0 && ageMs < sinceStopMs;
        } catch (IOException e) {
            return false;
        }
    }

    /** The last pending-samples value this robot's agent reported. */
    double lastPending() {
        return lastPending;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() {
        agent.close();
        proxy.close();
        sensor.close();
    }
}
