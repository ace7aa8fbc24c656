package dev.edgepush.testbed.load;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pushes a {@link SimulatedFleet}'s precomputed batches to one remote-write URL: one thread per
 * robot, each sending its batches in order, one request at a time, with the remote-write 1.0
 * headers and its own bearer token ({@link RawPushConnection}), until the deadline; over a kept-alive
 * connection, or with {@code keepAlive} false a new connection per request ({@code Connection:
 * close}). A robot whose request fails goes on with
 * its next batch (no retry: the run counts answers, it does not deliver).
 */
public final class PushLoad {
    /** What one run saw. {@code distinctAcceptedSamples}: samples of distinct (robot, batch) pairs answered 2xx. */
    public record Result(
            long acceptedSamples,
            long acceptedRequests,
            Map<String, Long> rejectedByCode,
            long distinctAcceptedSamples,
            Duration elapsed) {
        public long non2xx() {
            return rejectedByCode.values().stream().mapToLong(Long::longValue).sum();
        }

        public double samplesPerSecond() {
            return acceptedSamples / (elapsed.toNanos() / 1e9);
        }
    }

    private final SimulatedFleet fleet;
    /** Which batches of each robot were answered 2xx at least once, across runs of this instance. */
    private final boolean[][] accepted;

    private final boolean keepAlive;

    public PushLoad(SimulatedFleet fleet, boolean keepAlive) {
        this.fleet = fleet;
        this.keepAlive = keepAlive;
        this.accepted = new boolean[fleet.robots.size()][];
        for (int i = 0; i < accepted.length; i++) {
            accepted[i] = new boolean[fleet.robots.get(i).batches().size()];
        }
    }

    /** Runs for {@code duration}; robot {@code r} resumes at the batch after its last one sent. */
    public Result run(String url, Duration duration) throws InterruptedException {
        URI uri = URI.create(url);
        LongAdder samples = new LongAdder();
        LongAdder requests = new LongAdder();
        Map<String, AtomicLong> rejected = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < fleet.robots.size(); r++) {
            SimulatedFleet.Robot robot = fleet.robots.get(r);
            boolean[] mine = accepted[r];
            Thread t = new Thread(
                    () -> {
                        int k = next(mine);
                        try (RawPushConnection conn = new RawPushConnection(uri, robot.token(), keepAlive)) {
                            while (System.nanoTime() < deadline) {
                                String outcome = push(conn, robot.batches().get(k));
                                if (outcome == null) {
                                    samples.add(fleet.samplesPerBatch);
                                    requests.increment();
                                    mine[k] = true;
                                } else {
                                    rejected.computeIfAbsent(outcome, c -> new AtomicLong())
                                            .incrementAndGet();
                                }
                                k = (k + 1) % mine.length;
                            }
                        }
                    },
                    "push-" + robot.name());
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        Map<String, Long> byCode = new TreeMap<>();
        rejected.forEach((c, n) -> byCode.put(c, n.get()));
        return new Result(samples.sum(), requests.sum(), byCode, distinctAcceptedSamples(), elapsed);
    }

    /** The first batch never answered 2xx, or 0: where a robot starts a run. */
    private static int next(boolean[] mine) {
        for (int i = 0; i < mine.length; i++) {
            if (!mine[i]) {
                return i;
            }
        }
        return 0;
    }

    public long distinctAcceptedSamples() {
        long n = 0;
        for (boolean[] robot : accepted) {
            for (boolean b : robot) {
                n += b ? fleet.samplesPerBatch : 0;
            }
        }
        return n;
    }

    /** Returns null on 2xx, else the status code or the exception's class name. */
    private static String push(RawPushConnection conn, byte[] body) {
        try {
            int code = conn.post(body);
            return code / 100 == 2 ? null : Integer.toString(code);
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }
}
