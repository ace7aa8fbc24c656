package dev.edgepush.forward.send;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal" jitter and a cap.
 *
 * <p>Attempt {@code n} (0-based since the last {@link #reset()}) has {@code base = min(max,
 * initial * 2^n)} and waits {@code base/2 + uniform(0..base/2)}. Guarantees: every delay is
 * within {@code [base/2, base]}, so never above {@code max} and never below half the base (a
 * fleet of robots recovering from the same outage spreads out, yet no robot hammers the
 * endpoint); once the cap is reached delays stay there without overflow.
 *
 * <p>Not thread-safe: one instance per sending loop.
 */
public final class Backoff {

    /**
     * A robot's flushInterval is 1s: retrying faster than the data arrives just burns the uplink.
     */
    public static final Duration DEFAULT_INITIAL = Duration.ofSeconds(1);

    /**
     * vmagent's retry cap is 1 minute; a long outage then costs one request a minute per robot.
     */
    public static final Duration DEFAULT_MAX = Duration.ofSeconds(60);

    private final long initialNanos;
    private final long maxNanos;
    private final RandomGenerator random;
    private int attempt;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.initialNanos = Objects.requireNonNull(initial, "initial").toNanos();
        this.maxNanos = Objects.requireNonNull(max, "max").toNanos();
        this.random = Objects.requireNonNull(random, "random");
        if (initialNanos <= 0) {
            throw new IllegalArgumentException("initial must be positive: " + initial);
        }
        if (maxNanos < initialNanos) {
            throw new IllegalArgumentException("max " + max + " < initial " + initial);
        }
    }

    /** Backoff with {@link #DEFAULT_INITIAL} and {@link #DEFAULT_MAX}. */
    public static Backoff withDefaults(RandomGenerator random) {
        return new Backoff(DEFAULT_INITIAL, DEFAULT_MAX, random);
    }

    /** Returns the delay before the next attempt and advances the attempt counter. */
    public Duration next() {
        return next(Duration.ofNanos(maxNanos));
    }

    /** Like {@link #next()}, with the delay's base capped at {@code cap} (still jittered). */
    public Duration next(Duration cap) {
        long base = base(attempt);
        if (base < maxNanos) {
            attempt++; // stop counting once capped: no overflow however long the outage
        }
        base = Math.min(base, Math.max(1, cap.toNanos()));
        long half = base / 2;
        return Duration.ofNanos(half + random.nextLong(base - half + 1));
    }

    /** Forgets past failures: the next delay is based on {@code initial} again. */
    public void reset() {
        attempt = 0;
    }

    private long base(int n) {
        if (n >= 62 || initialNanos > (maxNanos >> n)) {
            return maxNanos;
        }
        return Math.min(maxNanos, initialNanos << n);
    }
}
