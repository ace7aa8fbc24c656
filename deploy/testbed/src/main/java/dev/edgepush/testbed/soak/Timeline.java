package dev.edgepush.testbed.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * Backlog and delivery over time, for the report's plot. Bounded whatever the run's length:
 * past {@link #MAX_POINTS} every other point is dropped and only every second sample is kept
 * from then on (every sample still counts toward delivery), so a day-long soak keeps at most a few
 * thousand points.
 */
final class Timeline {
    static final int MAX_POINTS = 4000;

    /**
     * One sample.
     *
     * @param tMs milliseconds since the soak started
     * @param agentsPending sum of the agents' pending samples
     * @param walPending central-ingest's WAL pending samples
     * @param delivered samples forwarded to VictoriaMetrics since the start (across restarts)
     * @param cappedLagS the capped-link robot's live lag: now minus its newest stored scrape's
     *     timestamp, in seconds (NaN: no such robot, or nothing stored yet)
     * @param cappedPending the capped-link robot's pending samples (NaN: no such robot)
     */
    record Point(
            long tMs,
            double agentsPending,
            double walPending,
            double delivered,
            double cappedLagS,
            double cappedPending) {
        Point(long tMs, double agentsPending, double walPending, double delivered) {
            this(tMs, agentsPending, walPending, delivered, Double.NaN, Double.NaN);
        }
    }

    private final List<Point> points = new ArrayList<>();
    private double delivered;
    private double lastForwarded = -1;
    private int stride = 1;
    private long added;

    /**
     * Adds a sample; {@code forwardedTotal} is central-ingest's counter (NaN if it did not answer),
     * whose reset at a restart is folded in.
     */
    synchronized void add(long tMs, double agentsPending, double walPending, double forwardedTotal) {
        add(tMs, agentsPending, walPending, forwardedTotal, Double.NaN, Double.NaN);
    }

    /** Like {@link #add(long, double, double, double)}, with the capped-link robot's lag and backlog. */
    synchronized void add(
            long tMs,
            double agentsPending,
            double walPending,
            double forwardedTotal,
            double cappedLagS,
            double cappedPending) {
        if (!Double.isNaN(forwardedTotal)) {
            // A restarted central-ingest counts from 0 again: what it shows is all new.
            boolean fresh = lastForwarded < 0 || forwardedTotal < lastForwarded;
            delivered += fresh ? forwardedTotal : forwardedTotal - lastForwarded;
            lastForwarded = forwardedTotal;
        }
        if (added++ % stride != 0) {
            return;
        }
        points.add(new Point(tMs, agentsPending, walPending, delivered, cappedLagS, cappedPending));
        if (points.size() >= MAX_POINTS) {
            List<Point> half = new ArrayList<>(MAX_POINTS / 2 + 1);
            for (int i = 0; i < points.size(); i += 2) {
                half.add(points.get(i));
            }
            points.clear();
            points.addAll(half);
            stride *= 2;
        }
    }

    synchronized List<Point> points() {
        return List.copyOf(points);
    }

    synchronized double delivered() {
        return delivered;
    }
}
