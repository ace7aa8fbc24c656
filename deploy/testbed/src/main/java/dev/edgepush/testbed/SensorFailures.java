package dev.edgepush.testbed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Failures injected into one sensor simulator ({@code POST /inject}), each active until its own
 * deadline; several modes can be active at once and injecting a mode again moves its deadline.
 *
 * <ul>
 *   <li>{@code cpu_spike}: a thread of the simulator's JVM spins for the duration (on a 2-core
 *       robot that is half the machine), and the spike shows in {@code
 *       sensor_cpu_spike_duration_seconds};
 *   <li>{@code memory_leak}: {@link #LEAK_STEP_BYTES} retained per second, at most {@link
 *       #LEAK_CAP_BYTES}, released when it ends ({@code sensor_memory_leaked_bytes});
 *   <li>{@code latency_spike}: every {@code /metrics} answer waits 200..500 ms first, kept under
 *       the 1 s scrape timeout of a 1 s interval so the scrape still succeeds (a response the
 *       scraper gave up on but the server finished writing would count as answered and lost);
 *   <li>{@code error_burst}: half of the {@code /metrics} requests answer 500;
 *   <li>{@code node_crash}: {@code /metrics} and {@code /health} answer 503. The testbed's own
 *       control paths ({@code /inject}, {@code /stats}, {@code /answered}) keep working, so a crash
 *       can be cleared and accounted.
 * </ul>
 *
 * <p>A failing answer consumes no scrape sequence number and is not counted as answered. Thread
 * safe: the deadlines are read by the HTTP worker and written by {@code /inject}.
 */
final class SensorFailures implements AutoCloseable {
    /** The failure modes, by their wire name. */
    enum Mode {
        CPU_SPIKE,
        MEMORY_LEAK,
        LATENCY_SPIKE,
        ERROR_BURST,
        NODE_CRASH;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.wireName().equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown mode \"" + s + "\"; modes: cpu_spike, memory_leak, "
                    + "latency_spike, error_burst, node_crash");
        }
    }

    /** Leak growth per second: visible in a minute, harmless to a testbed JVM. */
    static final int LEAK_STEP_BYTES = 1 << 20;
    /** Leak ceiling, so a long injection cannot take the soak runner's heap down. */
    static final long LEAK_CAP_BYTES = 32L << 20;

    private final Map<Mode, Long> untilNanos = new EnumMap<>(Mode.class);
    private final Random random;
    private final List<byte[]> leaked = new ArrayList<>();
    private Thread cpuBurner;
    private Thread leaker;
    private volatile boolean closed;

    SensorFailures(long seed) {
        this.random = new Random(seed ^ 0x5DEECE66DL);
    }

    /**
     * Starts (or extends, or with a zero duration ends) a failure.
     *
     * @param mode what to break
     * @param duration how long from now
     */
    synchronized void inject(Mode mode, Duration duration) {
        if (duration.isZero()) {
            untilNanos.remove(mode);
            return;
        }
        untilNanos.put(mode, System.nanoTime() + duration.toNanos());
        if (mode == Mode.CPU_SPIKE && (cpuBurner == null || !cpuBurner.isAlive())) {
            cpuBurner = daemon("sensor-cpu-spike", this::burnCpu);
        } else if (mode == Mode.MEMORY_LEAK && (leaker == null || !leaker.isAlive())) {
            leaker = daemon("sensor-memory-leak", this::leak);
        }
    }

    /** Whether {@code mode} is active now. */
    synchronized boolean active(Mode mode) {
        Long until = untilNanos.get(mode);
        if (until == null) {
            return false;
        }
        if (System.nanoTime() - until >= 0) {
            untilNanos.remove(mode);
            return false;
        }
        return true;
    }

    /** Milliseconds the next {@code /metrics} answer waits, 0 without a latency spike. */
    synchronized long latencyMs() {
        return active(Mode.LATENCY_SPIKE) ? 200 + random.nextInt(301) : 0;
    }

    /** Whether this {@code /metrics} request fails with 500 (error burst: every other one). */
    synchronized boolean failWith500() {
        return active(Mode.ERROR_BURST) && random.nextBoolean();
    }

    synchronized long leakedBytes() {
        return (long) leaked.size() * LEAK_STEP_BYTES;
    }

    /** JSON: the active modes and the seconds each has left. */
    synchronized String statusJson() {
        StringBuilder sb = new StringBuilder("{\"active\":{");
        String sep = "";
        for (Mode m : Mode.values()) {
            if (active(m)) {
                long left = Math.max(0, untilNanos.get(m) - System.nanoTime()) / 1_000_000;
                sb.append(sep).append('"').append(m.wireName()).append("\":").append(left / 1000.0);
                sep = ",";
            }
        }
        return sb.append("},\"leaked_bytes\":")
                .append(leakedBytes())
                .append("}")
                .toString();
    }

    /** Appends {@code sensor_failure_active{mode}} and {@code sensor_memory_leaked_bytes}. */
    void render(StringBuilder sb) {
        sb.append("# HELP sensor_failure_active Whether a testbed failure is injected (1) or not (0).\n");
        sb.append("# TYPE sensor_failure_active gauge\n");
        for (Mode m : Mode.values()) {
            sb.append("sensor_failure_active{mode=\"")
                    .append(m.wireName())
                    .append("\"} ")
                    .append(active(m) ? 1 : 0)
                    .append('\n');
        }
        sb.append("# HELP sensor_memory_leaked_bytes Memory held by an injected leak.\n");
        sb.append("# TYPE sensor_memory_leaked_bytes gauge\n");
        sb.append("sensor_memory_leaked_bytes ").append(leakedBytes()).append('\n');
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void burnCpu() {
        long x = 0;
        while (!closed && active(Mode.CPU_SPIKE)) {
            long stop = System.nanoTime() + 50_000_000L; // re-check the deadline every 50 ms
            while (System.nanoTime() < stop) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        if (x == 42) {
            Thread.yield(); // keeps the loop from being optimised away
        }
    }

    private void leak() {
        try {
            while (!closed && active(Mode.MEMORY_LEAK)) {
                synchronized (this) {
                    if (leakedBytes() < LEAK_CAP_BYTES) {
                        byte[] b = new byte[LEAK_STEP_BYTES];
                        for (int i = 0; i < b.length; i += 4096) {
                            b[i] = 1; // touch every page so the memory is really taken
                        }
                        leaked.add(b);
                    }
                }
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (this) {
                leaked.clear();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
