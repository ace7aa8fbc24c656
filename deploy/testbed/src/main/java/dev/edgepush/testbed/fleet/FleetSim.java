package dev.edgepush.testbed.fleet;

import dev.edgepush.testbed.load.RemoteWriteBatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thousands of robots as remote-write senders in one JVM: one scheduler thread produces each
 * robot's batches on its plan and a small pool runs {@link HttpClient#sendAsync}, so no robot
 * owns a thread. A robot keeps the timestamps of its unsent batches (oldest first, bounded; the
 * samples themselves are derived from robot, series and timestamp when a request is built), sends
 * at most one request at a time of up to {@code batchTicks} batches, honours 429's
 * {@code Retry-After}, retries 5xx and connection errors with exponential backoff, and reports
 * its backlog in the agent's {@code X-Edgepush-Pending-Samples} and
 * {@code X-Edgepush-Oldest-Pending-Age-Seconds} headers.
 */
public final class FleetSim implements AutoCloseable {
    /** The settings of one simulation. */
    public record Config(URI writeUrl, int series, int batchTicks, int maxBacklogTicks, String runId) {}

    final Config cfg;
    final FleetPlan plan;
    final List<String> names;
    final List<String> tokens;
    private final String[][] labels;
    private final Robot[] robots;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService pool;
    private final HttpClient http;
    final LongAdder generated = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder http429 = new LongAdder();
    final LongAdder http5xx = new LongAdder();
    final LongAdder ioErrors = new LongAdder();
    final LongAdder otherRejected = new LongAdder();
    /** From sending a push to its 2xx answer, every acknowledged push. */
    final LatencyHistogram timeToAck = new LatencyHistogram();

    private final AtomicInteger reportedOther = new AtomicInteger();
    private volatile long startMs;

    public FleetSim(Config cfg, FleetPlan plan, List<String> names, List<String> tokens) {
        this.cfg = cfg;
        this.plan = plan;
        this.names = names;
        this.tokens = tokens;
        this.labels = new String[cfg.series()][];
        for (int j = 0; j < cfg.series(); j++) {
            // Sorted by name; central-ingest stamps robot=<name>.
            labels[j] = new String[] {
                "__name__", "fleetsim_m" + (j % 10), "idx", Integer.toString(j), "job", "fleetsim", "run", cfg.runId()
            };
        }
        this.robots = new Robot[plan.robots.size()];
        for (int r = 0; r < robots.length; r++) {
            robots[r] = new Robot(plan.robots.get(r));
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("fleet-tick"));
        this.pool = Executors.newFixedThreadPool(3, daemon("fleet-http"));
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(pool)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts every robot's schedule now (batch timestamps are whole milliseconds from here). */
    public void start() {
        startMs = System.currentTimeMillis();
        for (Robot r : robots) {
            r.future =
                    scheduler.scheduleAtFixedRate(r::tick, r.plan.offsetMs(), plan.intervalMs, TimeUnit.MILLISECONDS);
        }
    }

    public long startMs() {
        return startMs;
    }

    /** Timestamp of robot {@code p}'s batch {@code k}. */
    long timestampMs(FleetPlan.RobotPlan p, long k) {
        return startMs + p.offsetMs() + k * plan.intervalMs;
    }

    /** Samples produced so far, and planned in all. */
    public long plannedSamples() {
        return plan.totalTicks() * cfg.series();
    }

    public long generatedSamples(int robot) {
        return (long) robots[robot].produced * cfg.series();
    }

    public long pendingSamples() {
        long n = 0;
        for (Robot r : robots) {
            synchronized (r) {
                n += r.backlog.size();
            }
        }
        return n * cfg.series();
    }

    /** Every batch of the plan produced, and every robot's backlog empty. */
    public boolean drained() {
        for (Robot r : robots) {
            synchronized (r) {
                if (r.produced < r.plan.ticks() || !r.backlog.isEmpty() || r.inFlight) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Robots offline right now (by their plan). */
    public int offlineNow() {
        int n = 0;
        for (Robot r : robots) {
            if (r.offlineNow()) {
                n++;
            }
        }
        return n;
    }

    /** The value of series {@code j} of robot {@code r} at {@code ts}: sensor-like, deterministic. */
    static double value(int r, int j, long ts) {
        long s = ts / 1000;
        return j * 10.0 + (s % 3600) * 0.01 + ((r * 31L + j * 17L + s * 13L) % 97) / 97.0;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        pool.shutdownNow();
    }

    private final class Robot {
        final FleetPlan.RobotPlan plan;
        final String name;
        final String token;
        /** Timestamps of the batches not yet acknowledged, oldest first; the head ones may be in flight. */
        final ArrayDeque<Long> backlog = new ArrayDeque<>();

        int produced;
        boolean inFlight;
        boolean waiting; // a retry is scheduled
        int failures;
        ScheduledFuture<?> future;

        Robot(FleetPlan.RobotPlan plan) {
            this.plan = plan;
            this.name = names.get(plan.index());
            this.token = tokens.get(plan.index());
        }

        boolean offlineNow() {
            long since = System.currentTimeMillis() - startMs - plan.offsetMs();
            return since >= 0 && plan.offlineAt(since / FleetSim.this.plan.intervalMs);
        }

        void tick() {
            boolean send;
            synchronized (this) {
                if (produced >= plan.ticks()) {
                    future.cancel(false);
                    return;
                }
                int k = produced++;
                backlog.addLast(timestampMs(plan, k));
                generated.add(cfg.series());
                // Bounded: over the bound the oldest batch not in flight is dropped (counted; lost).
                if (backlog.size() > cfg.maxBacklogTicks() && !inFlight) {
                    backlog.removeFirst();
                    dropped.add(cfg.series());
                }
                send = !plan.offlineAt(k) && !inFlight && !waiting;
            }
            if (send) {
                flush();
            }
        }

        void flush() {
            long[] ts;
            long pending;
            double oldestAge;
            synchronized (this) {
                waiting = false;
                if (inFlight || backlog.isEmpty() || offlineNow()) {
                    return;
                }
                int n = Math.min(cfg.batchTicks(), backlog.size());
                ts = new long[n];
                int i = 0;
                for (Long t : backlog) {
                    if (i == n) {
                        break;
                    }
                    ts[i++] = t;
                }
                inFlight = true;
                pending = (long) backlog.size() * cfg.series();
                oldestAge = Math.max(0, System.currentTimeMillis() - backlog.peekFirst()) / 1000.0;
            }
            HttpRequest req;
            try {
                req = request(ts, pending, oldestAge);
            } catch (RuntimeException e) {
                synchronized (this) {
                    inFlight = false;
                }
                throw e;
            }
            requests.increment();
            long sentNs = System.nanoTime();
            http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((res, err) -> {
                if (err == null && res.statusCode() / 100 == 2) {
                    timeToAck.record((System.nanoTime() - sentNs) / 1_000_000);
                }
                answered(ts, res, err);
            });
        }

        private HttpRequest request(long[] ts, long pending, double oldestAge) {
            RemoteWriteBatch b = new RemoteWriteBatch();
            double[] values = new double[ts.length];
            for (int j = 0; j < labels.length; j++) {
                for (int p = 0; p < ts.length; p++) {
                    values[p] = value(plan.index(), j, ts[p]);
                }
                b.addSeries(labels[j], values, ts);
            }
            return HttpRequest.newBuilder(cfg.writeUrl())
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/x-protobuf")
                    .header("Content-Encoding", "snappy")
                    .header("User-Agent", "edgepush-fleet-sim/0.1.0")
                    .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                    .header("X-Edgepush-Pending-Samples", Long.toString(pending))
                    .header("X-Edgepush-Oldest-Pending-Age-Seconds", String.format(Locale.ROOT, "%.3f", oldestAge))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(b.toSnappyBlock()))
                    .build();
        }

        private void answered(long[] ts, HttpResponse<String> res, Throwable err) {
            long retryMs = -1;
            synchronized (this) {
                inFlight = false;
                int code = err == null ? res.statusCode() : -1;
                if (code / 100 == 2) {
                    failures = 0;
                    long last = ts[ts.length - 1];
                    while (!backlog.isEmpty() && backlog.peekFirst() <= last) {
                        backlog.removeFirst();
                        acked.add(cfg.series());
                    }
                } else if (code == 429) {
                    http429.increment();
                    retryMs = retryAfterMs(res);
                } else if (code >= 500 || code == -1) {
                    if (code == -1) {
                        ioErrors.increment();
                    } else {
                        http5xx.increment();
                    }
                    failures++;
                    long base = Math.min(30_000L, 500L << Math.min(failures - 1, 6));
                    retryMs = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
                } else {
                    // 4xx other than 429: the data will never be accepted; drop it (it counts as lost).
                    otherRejected.increment();
                    if (reportedOther.getAndIncrement() < 5) {
                        System.err.println("fleet-sim: " + name + " got " + code + ": " + res.body());
                    }
                    for (int i = 0; i < ts.length && !backlog.isEmpty(); i++) {
                        backlog.removeFirst();
                    }
                }
                if (retryMs >= 0) {
                    waiting = true;
                }
            }
            if (retryMs >= 0) {
                scheduler.schedule(this::flush, retryMs, TimeUnit.MILLISECONDS);
            } else {
                flush(); // the rest of the backlog, oldest first
            }
        }

        private long retryAfterMs(HttpResponse<String> res) {
            String v = res.headers().firstValue("Retry-After").orElse("5");
            try {
                return Math.max(0, (long) (Double.parseDouble(v.trim()) * 1000));
            } catch (NumberFormatException e) {
                return 5000;
            }
        }
    }
}
