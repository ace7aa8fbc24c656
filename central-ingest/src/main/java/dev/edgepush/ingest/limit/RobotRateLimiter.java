package dev.edgepush.ingest.limit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per robot, in samples: refills at {@code samplesPerSecond} up to a burst of
 * {@link #BURST_SECONDS} seconds' worth. A request is admitted while the robot's bucket is
 * positive (checked from the headers, before the body is read) and its samples are taken after
 * decoding, so the bucket may go negative; the robot then waits until it has paid back the
 * debt. That spreads a fleet's catch-up after an outage over time instead of dropping it.
 * Thread-safe; the clock (nanoseconds) is injected for tests.
 */
public final class RobotRateLimiter {
    /** An agent catching up sends 10k-sample batches back to back: allow ten seconds of them. */
    public static final long BURST_SECONDS = 10;

    private final double perNano;
    private final double burst;
    private final LongSupplier nanoClock;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private final class Bucket {
        private double tokens = burst;
        private long updatedNanos = nanoClock.getAsLong();

        synchronized double refill() {
            long now = nanoClock.getAsLong();
            tokens = Math.min(burst, tokens + (now - updatedNanos) * perNano);
            updatedNanos = now;
            return tokens;
        }

        synchronized void take(long samples) {
            refill();
            tokens -= samples;
        }
    }

    public RobotRateLimiter(long samplesPerSecond, LongSupplier nanoClock) {
        this.perNano = samplesPerSecond / 1e9;
        this.burst = (double) samplesPerSecond * BURST_SECONDS;
        this.nanoClock = nanoClock;
    }

    /** 0 when {@code robot} may send now; otherwise how many ms until its bucket is positive. */
    public long waitMs(String robot) {
        double tokens = buckets.computeIfAbsent(robot, r -> new Bucket()).refill();
        if (tokens > 0) {
            return 0;
        }
        return (long) Math.ceil((-tokens + 1) / perNano / 1e6);
    }

    /** Takes {@code samples} from {@code robot}'s bucket (it may go negative). */
    public void take(String robot, long samples) {
        buckets.computeIfAbsent(robot, r -> new Bucket()).take(samples);
    }
}
