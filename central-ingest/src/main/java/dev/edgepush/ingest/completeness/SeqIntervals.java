package dev.edgepush.ingest.completeness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of excerpt sequence numbers kept as merged, inclusive intervals, each with the newest
 * scrape time (robot clock, ms) of the pushes that filled it. Not thread-safe.
 *
 * <p>Bounded: at most {@code maxIntervals} intervals. Past that, two adjacent intervals are
 * merged, the lowest ones except the one that starts at 0 (the complete prefix, see {@link
 * #completeThrough}); the numbers in the gap between them are then counted in {@link
 * #forgotten} instead: still missing, no longer listed.
 */
final class SeqIntervals {
    /** Start to {end, newest time}. */
    private final TreeMap<Long, long[]> map = new TreeMap<>();

    private final int maxIntervals;
    private long size;
    private long forgotten;

    SeqIntervals(int maxIntervals) {
        this.maxIntervals = Math.max(2, maxIntervals);
    }

    /** Adds {@code [first, last]} seen at scrape time {@code timeMs}; returns how many were not in the set before. */
    long add(long first, long last, long timeMs) {
        long covered = 0;
        long from = first;
        long to = last;
        long time = timeMs;
        Map.Entry<Long, long[]> e = map.floorEntry(first);
        if (e != null && e.getValue()[0] >= first - 1) {
            covered += overlap(e.getKey(), e.getValue()[0], first, last);
            from = e.getKey();
            to = Math.max(to, e.getValue()[0]);
            time = Math.max(time, e.getValue()[1]);
            map.remove(e.getKey());
            size -= e.getValue()[0] - e.getKey() + 1;
        }
        while ((e = map.ceilingEntry(from)) != null && e.getKey() <= to + 1) {
            covered += overlap(e.getKey(), e.getValue()[0], first, last);
            to = Math.max(to, e.getValue()[0]);
            time = Math.max(time, e.getValue()[1]);
            map.remove(e.getKey());
            size -= e.getValue()[0] - e.getKey() + 1;
        }
        map.put(from, new long[] {to, time});
        size += to - from + 1;
        capIntervals();
        return (last - first + 1) - covered;
    }

    private void capIntervals() {
        while (map.size() > maxIntervals) {
            java.util.Iterator<Long> it = map.keySet().iterator();
            long aStart = it.next();
            long bStart = it.next();
            if (aStart == 0 && it.hasNext()) {
                aStart = bStart;
                bStart = it.next();
            }
            long[] a = map.remove(aStart);
            long[] b = map.remove(bStart);
            long gap = bStart - a[0] - 1;
            forgotten += gap;
            size += gap;
            map.put(aStart, new long[] {b[0], Math.max(a[1], b[1])});
        }
    }

    private static long overlap(long a, long b, long c, long d) {
        return Math.max(0, Math.min(b, d) - Math.max(a, c) + 1);
    }

    /** Numbers in the set, including the {@link #forgotten} ones merged in by the cap. */
    long size() {
        return size;
    }

    /** Numbers merged in by the interval cap without having been added: missing, no longer listed. */
    long forgotten() {
        return forgotten;
    }

    /** The highest number in the set, -1 when empty. */
    long highest() {
        return map.isEmpty() ? -1 : map.lastEntry().getValue()[0];
    }

    /** How many of {@code [first, last]} are in the set. */
    long countIn(long first, long last) {
        long n = 0;
        Map.Entry<Long, long[]> e = map.floorEntry(first);
        if (e != null) {
            n += overlap(e.getKey(), e.getValue()[0], first, last);
        }
        for (Map.Entry<Long, long[]> f : map.subMap(first, false, last, true).entrySet()) {
            n += overlap(f.getKey(), f.getValue()[0], first, last);
        }
        return n;
    }

    /** Whether every number of {@code [first, last]} is in the set. */
    boolean containsAll(long first, long last) {
        return countIn(first, last) == last - first + 1;
    }

    /** The end of the interval that starts at 0, -1 when 0 is not in the set (nothing is complete). */
    long completeThrough() {
        long[] v = map.get(0L);
        return v == null ? -1 : v[0];
    }

    /** The newest scrape time in the interval that starts at 0, 0 when there is none. */
    long completeThroughTimeMs() {
        long[] v = map.get(0L);
        return v == null ? 0 : v[1];
    }

    /** The intervals in order, as {@code {start, end, timeMs}}. */
    List<long[]> intervals() {
        List<long[]> out = new ArrayList<>(map.size());
        map.forEach((k, v) -> out.add(new long[] {k, v[0], v[1]}));
        return out;
    }

    /** Restores a persisted interval (disjoint from the others, not adjacent); no cap applied. */
    void restore(long start, long end, long timeMs) {
        map.put(start, new long[] {end, timeMs});
        size += end - start + 1;
    }

    void restoreForgotten(long n) {
        forgotten = n;
    }
}
