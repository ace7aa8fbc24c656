package dev.edgepush.testbed.fleet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seeded schedule of a simulated fleet, decided before the run: for each robot a stable offset
 * within the interval (its batch {@code k} is due at {@code start + offset + k * interval}), the
 * number of batches it produces within the run, and its offline spans in batch indices.
 *
 * <p>Exactly {@code round(offlineFraction * robots)} robots go offline, chosen by the seed; each
 * gets one or two spans, non-overlapping, each at least one batch and at most {@code maxSpanTicks}
 * long (so the backlog it accumulates stays within the bound), and never covering its last batch:
 * every robot is back online before the run ends and sends what it kept.
 */
public final class FleetPlan {
    /** Batches {@code [fromTick, toTick)} of one robot are produced while offline. */
    public record Span(int fromTick, int toTick) {
        public int length() {
            return toTick - fromTick;
        }

        public boolean contains(long tick) {
            return tick >= fromTick && tick < toTick;
        }
    }

    /** One robot's plan. */
    public record RobotPlan(int index, long offsetMs, int ticks, List<Span> offline) {
        public boolean offlineAt(long tick) {
            for (Span s : offline) {
                if (s.contains(tick)) {
                    return true;
                }
            }
            return false;
        }
    }

    public final long intervalMs;
    public final long durationMs;
    public final List<RobotPlan> robots;

    private FleetPlan(long intervalMs, long durationMs, List<RobotPlan> robots) {
        this.intervalMs = intervalMs;
        this.durationMs = durationMs;
        this.robots = robots;
    }

    /**
     * @param maxSpanTicks the longest offline span in batches (the backlog bound); at least 1
     */
    public static FleetPlan plan(
            int robotCount, long durationMs, long intervalMs, double offlineFraction, int maxSpanTicks, long seed) {
        if (robotCount < 1 || durationMs < 1 || intervalMs < 1 || maxSpanTicks < 1) {
            throw new IllegalArgumentException("robots, duration, interval and the backlog bound must be positive");
        }
        if (offlineFraction < 0 || offlineFraction > 1) {
            throw new IllegalArgumentException("-offline must be within 0..1, got " + offlineFraction);
        }
        SplittableRandom random = new SplittableRandom(seed);
        long[] offsets = new long[robotCount];
        for (int r = 0; r < robotCount; r++) {
            offsets[r] = random.nextLong(intervalMs);
        }
        List<Integer> order = new ArrayList<>();
        for (int r = 0; r < robotCount; r++) {
            order.add(r);
        }
        Collections.shuffle(order, new java.util.Random(random.nextLong()));
        int offlineCount = (int) Math.round(offlineFraction * robotCount);
        boolean[] goesOffline = new boolean[robotCount];
        for (int i = 0; i < offlineCount; i++) {
            goesOffline[order.get(i)] = true;
        }
        List<RobotPlan> plans = new ArrayList<>(robotCount);
        for (int r = 0; r < robotCount; r++) {
            int ticks = ticks(durationMs, intervalMs, offsets[r]);
            // Each robot draws from its own stream, so its plan does not depend on the others'.
            SplittableRandom own = new SplittableRandom(seed * 1_000_003L + r);
            plans.add(
                    new RobotPlan(r, offsets[r], ticks, goesOffline[r] ? spans(own, ticks, maxSpanTicks) : List.of()));
        }
        return new FleetPlan(intervalMs, durationMs, List.copyOf(plans));
    }

    /** Batches due within the run: {@code k >= 0} with {@code offset + k * interval < duration}. */
    static int ticks(long durationMs, long intervalMs, long offsetMs) {
        return offsetMs >= durationMs ? 0 : (int) ((durationMs - offsetMs - 1) / intervalMs + 1);
    }

    /** One or two spans within {@code [0, ticks - 1)}; none when there is no room (fewer than 2 batches). */
    private static List<Span> spans(SplittableRandom random, int ticks, int maxSpanTicks) {
        int room = ticks - 1; // the last batch is always produced online
        if (room < 1) {
            return List.of();
        }
        int n = room >= 4 ? 1 + random.nextInt(2) : 1;
        int segment = room / n;
        List<Span> spans = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int segStart = i * segment;
            int usable = segment - (n > 1 ? 1 : 0); // a gap of at least one online batch between two spans
            int len = 1 + random.nextInt(Math.min(maxSpanTicks, usable));
            int from = segStart + random.nextInt(usable - len + 1);
            spans.add(new Span(from, from + len));
        }
        return List.copyOf(spans);
    }

    public int offlinePeriods() {
        return robots.stream().mapToInt(p -> p.offline().size()).sum();
    }

    public long totalTicks() {
        return robots.stream().mapToLong(RobotPlan::ticks).sum();
    }
}
