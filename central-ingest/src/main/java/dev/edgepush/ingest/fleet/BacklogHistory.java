package dev.edgepush.ingest.fleet;

import java.util.ArrayList;
import java.util.List;

/**
 * A robot's reported backlog (pending samples) over the last {@link #SECONDS} seconds, for the
 * fleet page's trend charts: the largest report of each wall-clock second in a ring (a peak
 * reported and drained within one second still shows), so memory is fixed per robot. Seconds without a push have no point (the chart shows a gap: the robot was not
 * heard from). Thread-safe (locks itself; called once per push and per view).
 */
public final class BacklogHistory {
    /** Two minutes: long enough to see a backlog build up and drain after a short dead zone. */
    public static final int SECONDS = 120;

    /** The largest backlog reported during the wall-clock second {@code epochSecond}. */
    public record Point(long epochSecond, long pendingSamples) {}

    private final long[] values = new long[SECONDS];
    private final long[] seconds = new long[SECONDS];

    public BacklogHistory() {
        java.util.Arrays.fill(seconds, Long.MIN_VALUE);
    }

    synchronized void add(long nowMs, long pendingSamples) {
        long sec = Math.floorDiv(nowMs, 1000);
        int i = Math.floorMod(sec, SECONDS);
        if (seconds[i] != sec) {
            seconds[i] = sec;
            values[i] = pendingSamples;
        } else {
            values[i] = Math.max(values[i], pendingSamples);
        }
    }

    /** The points of the last {@link #SECONDS} seconds up to {@code nowMs}, oldest first. */
    synchronized List<Point> points(long nowMs) {
        long now = Math.floorDiv(nowMs, 1000);
        List<Point> out = new ArrayList<>();
        for (long sec = now - SECONDS + 1; sec <= now; sec++) {
            int i = Math.floorMod(sec, SECONDS);
            if (seconds[i] == sec) {
                out.add(new Point(sec, values[i]));
            }
        }
        return out;
    }
}
