package dev.edgepush.testbed.soak;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The robot whose clock runs ahead ({@link SoakConfig#clockAhead}), after the drain: the clock
 * skew central-ingest measured for it ({@code central_ingest_robot_clock_skew_seconds}) must be the
 * offset the soak gave it, within {@link #SKEW_TOLERANCE_S}; and, central-ingest correcting skews
 * over {@link SoakConfig#CORRECT_CLOCK_SKEW_ABOVE}, each of its stored scrapes must be stored at
 * the cloud's time, within {@link #STORED_TOLERANCE_MS} of when its sensor answered it (the skew
 * estimate is low by a push's transit time, seconds for a large batch on the soak's slow links).
 * Whether every scrape is stored at all is {@link LossCheck}'s business.
 *
 * @param robot the robot
 * @param expectedSeconds how far ahead its clock runs
 * @param skewSeconds the skew central-ingest measured, NaN when it shows none
 * @param stored stored scrapes compared
 * @param misplaced stored scrapes further than {@link #STORED_TOLERANCE_MS} from their answer
 * @param maxOffsetMs the largest distance of a stored scrape from its answer
 * @param problem what is wrong, or null
 */
record ClockCheck(
        String robot,
        double expectedSeconds,
        double skewSeconds,
        int stored,
        int misplaced,
        long maxOffsetMs,
        String problem) {
    static final double SKEW_TOLERANCE_S = 5;
    static final long STORED_TOLERANCE_MS = 30_000;

    /**
     * Checks the robot.
     *
     * @param ahead how far ahead its clock runs
     * @param skew central-ingest's measured skew of it, in seconds
     * @param answered (seq, unix ms answered) pairs of its sensor
     * @param storedAt every stored timestamp (unix ms) of each {@code sensor_scrape_seq} value
     */
    static ClockCheck of(
            String robot, Duration ahead, OptionalDouble skew, long[][] answered, Map<Long, List<Long>> storedAt) {
        double expected = ahead.toMillis() / 1000.0;
        int stored = 0;
        int misplaced = 0;
        long maxOffset = 0;
        for (long[] a : answered) {
            List<Long> times = storedAt.get(a[0]);
            if (times == null) {
                continue;
            }
            stored++;
            boolean off = false;
            for (long t : times) {
                long offset = Math.abs(t - a[1]);
                maxOffset = Math.max(maxOffset, offset);
                off |= offset > STORED_TOLERANCE_MS;
            }
            misplaced += off ? 1 : 0;
        }
        String problem = null;
        if (skew.isEmpty()) {
            problem = "central-ingest shows no clock skew for it";
        } else if (Math.abs(skew.getAsDouble() - expected) > SKEW_TOLERANCE_S) {
            problem = String.format(
                    Locale.ROOT,
                    "central-ingest measured its clock %.1f s ahead, not %.0f s",
                    skew.getAsDouble(),
                    expected);
        } else if (misplaced > 0) {
            problem = String.format(
                    Locale.ROOT,
                    "%d of its %d stored scrapes are stored more than %d s from when its sensor answered (up to %.1f s)",
                    misplaced,
                    stored,
                    STORED_TOLERANCE_MS / 1000,
                    maxOffset / 1000.0);
        } else if (stored == 0) {
            problem = "none of its scrapes is stored";
        }
        return new ClockCheck(robot, expected, skew.orElse(Double.NaN), stored, misplaced, maxOffset, problem);
    }

    /** Its part of the soak's last line, e.g. {@code clock_skew_r1=3600.0 clock_misplaced=0}. */
    String verdict() {
        return String.format(Locale.ROOT, "clock_skew_%s=%.1f clock_misplaced=%d", robot, skewSeconds, misplaced);
    }
}
