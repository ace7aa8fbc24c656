package dev.edgepush.agent.it;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Tells, for a series the agent makes once each {@code intervalMs} (the host collector's), which
 * gaps are explained and which are lost collections. No gap is excused for being on a busy
 * machine alone; each needs one of three explanations:
 *
 * <ul>
 *   <li>a {@code kill -9} inside it: the agent was dead;
 *   <li>a recorded failure: a collection that failed writes {@code up 0} stamped with its start,
 *       so failed attempts are points of the series like stored ones, and a gap is measured between
 *       attempts, stored or failed (each {@code up 0} accounts for its own slot, not for a stretch);
 *   <li>an agent-wide stall: the agent started no scrape of any kind for most of the gap, seen
 *       from outside by another target, scraped every few hundred ms, that received no request for
 *       at least the gap less two intervals.
 * </ul>
 *
 * <p>Why three intervals and "less two": the agent schedules collections at a fixed rate and
 * skips a tick while the previous collection is still running, and a collection runs at most its
 * timeout (at most one interval). So without a stall, consecutive attempts are at most two
 * intervals apart; a longer gap means the agent's schedule did not run for at least the excess,
 * and then no other target was scraped either. Collections lost in the buffer or on the way to
 * storage leave the other target's requests regular and stay unexplained.
 */
final class CollectionGaps {
    final List<String> unexplained = new ArrayList<>();
    final List<String> byKill = new ArrayList<>();
    final List<String> byStall = new ArrayList<>();

    /**
     * @param intervalMs the collection interval
     * @param storedMs timestamps of the collections found in storage
     * @param failedMs timestamps of the {@code up 0} the agent recorded for failed collections
     * @param killsMs wall-clock times (ms), each taken once a killed agent was gone
     * @param otherArrivalsMs wall-clock times (ms) at which another target of the same agent
     *     received a scrape request (answered or not)
     * @param endMs the series must reach this time; the stretch from its last point to here is a gap
     *     like any other
     */
    CollectionGaps(
            long intervalMs,
            Collection<Long> storedMs,
            Collection<Long> failedMs,
            Collection<Long> killsMs,
            Collection<Long> otherArrivalsMs,
            long endMs) {
        TreeSet<Long> attempts = new TreeSet<>(storedMs);
        attempts.addAll(failedMs);
        if (!attempts.isEmpty() && attempts.last() < endMs) {
            attempts.add(endMs);
        }
        TreeSet<Long> kills = new TreeSet<>(killsMs);
        TreeSet<Long> arrivals = new TreeSet<>(otherArrivalsMs);
        Long prev = null;
        for (long t : attempts) {
            if (prev != null && t - prev > 3 * intervalMs) {
                String gap = prev + ".." + t + " (" + (t - prev) + " ms)";
                if (!kills.subSet(prev, true, t, true).isEmpty()) {
                    byKill.add(gap);
                } else {
                    long pause = longestPause(arrivals, prev, t);
                    if (pause >= (t - prev) - 2 * intervalMs) {
                        byStall.add(gap + ", other target idle " + pause + " ms");
                    } else {
                        unexplained.add(gap + ", other target idle at most " + pause + " ms");
                    }
                }
            }
            prev = t;
        }
    }

    /**
     * The longest time between consecutive arrivals, among those from the last one at or before
     * {@code from} to the first one at or after {@code to}; 0 when there is none on either side
     * (nothing is known about that stretch, so nothing is explained by it).
     */
    private static long longestPause(TreeSet<Long> arrivals, long from, long to) {
        Long first = arrivals.floor(from);
        Long last = arrivals.ceiling(to);
        if (first == null || last == null) {
            return 0;
        }
        long longest = 0;
        Long prev = null;
        for (long a : arrivals.subSet(first, true, last, true)) {
            if (prev != null) {
                longest = Math.max(longest, a - prev);
            }
            prev = a;
        }
        return longest;
    }

    @Override
    public String toString() {
        return "unexplained=" + unexplained + " by_kill=" + byKill + " by_stall=" + byStall;
    }
}
