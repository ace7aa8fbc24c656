package dev.edgepush.agent.it;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Tells, for every scrape a {@link dev.edgepush.testsupport.CountingTarget} answered but the receiver never got, whether
 * the agent accounted for it or lost it. Exact, not a time-window guess:
 *
 * <p>The agent scrapes a target one request at a time, and every attempt ends in exactly one of
 * three ways: its samples are written (the receiver gets {@code test_seq N} stamped with the
 * scrape's start), the agent records the scrape as failed (an {@code up 0} stamped with the same
 * start, e.g. after a scrape timeout the target did not notice), or the agent is killed while
 * the scrape is in flight. So between two delivered scrapes {@code a < b} (their timestamps
 * {@code ta < tb}), the answered-but-missing seqs {@code a+1 .. b-1} were all attempted inside
 * {@code (ta, tb)}, and each needs its own {@code up 0} or kill inside that window. Whatever
 * the window cannot account for was lost. A loaded machine changes how many scrapes time out,
 * never this arithmetic.
 */
final class ScrapeLedger {
    final Set<Long> lost = new TreeSet<>();
    final Set<Long> failedByAgent = new TreeSet<>();
    final Set<Long> inFlightAtKill = new TreeSet<>();

    /**
     * @param answered every seq the target answered in full
     * @param delivered seq -> scrape timestamp (ms) of every {@code test_seq} sample received
     * @param upZeroMs timestamps of every {@code up 0} sample received
     * @param killsMs wall-clock times (ms), each taken once a killed agent was gone
     */
    ScrapeLedger(
            Collection<Long> answered, Map<Long, Long> delivered, Collection<Long> upZeroMs, Collection<Long> killsMs) {
        NavigableMap<Long, Long> got = new TreeMap<>(delivered);
        TreeMap<Long, List<Long>> gaps = new TreeMap<>(); // seq of the delivered scrape before the gap -> missing seqs
        for (long seq : new TreeSet<>(answered)) {
            if (!got.containsKey(seq)) {
                Long before = got.lowerKey(seq);
                gaps.computeIfAbsent(before == null ? Long.MIN_VALUE : before, k -> new ArrayList<>())
                        .add(seq);
            }
        }
        TreeSet<Long> zeros = new TreeSet<>(upZeroMs);
        TreeSet<Long> kills = new TreeSet<>(killsMs);
        for (Map.Entry<Long, List<Long>> gap : gaps.entrySet()) {
            List<Long> seqs = gap.getValue();
            long from = gap.getKey() == Long.MIN_VALUE ? Long.MIN_VALUE : got.get(gap.getKey());
            Long after = got.higherKey(seqs.get(seqs.size() - 1));
            long to = after == null ? Long.MAX_VALUE : got.get(after);
            int zerosInWindow = zeros.subSet(from, false, to, false).size();
            int killsInWindow = kills.subSet(from, false, to, false).size();
            for (long seq : seqs) {
                if (zerosInWindow > 0) {
                    zerosInWindow--;
                    failedByAgent.add(seq);
                } else if (killsInWindow > 0) {
                    killsInWindow--;
                    inFlightAtKill.add(seq);
                } else {
                    lost.add(seq);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "lost=" + lost.size() + " in_flight_at_kill=" + inFlightAtKill.size() + " failed_by_agent="
                + failedByAgent.size();
    }
}
