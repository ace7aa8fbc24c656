package dev.edgepush.forward.buffer;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What damage cost that {@link DiskBuffer#corruptSamplesTotal} cannot say in samples. The rule:
 * a damaged excerpt whose own header still gives its sample count is counted there, in samples
 * (reason="corrupt"); an unacknowledged excerpt that is lost and whose sample count nothing tells
 * any more (a file's index says it existed, but its bytes are gone or zero) is counted in {@link
 * #excerpts}; every damaged buffer file is counted in {@link #files}, which is all that can be
 * counted of a file with nothing readable in it (its first header gone: even its index is lost).
 * It also remembers which cycles a reader reported damaged, so each is logged once.
 */
final class DamageCount {
    /** Unacknowledged excerpts lost without a readable sample count. */
    final AtomicLong excerpts = new AtomicLong();
    /** Buffer files found damaged: moved aside, salvaged, or read up to the damage. */
    final AtomicLong files = new AtomicLong();

    private final Set<Integer> reportedCycles = new HashSet<>();

    /** True the first time {@code cycle} is reported damaged by a reader of this buffer. */
    synchronized boolean firstReportOf(int cycle) {
        return reportedCycles.add(cycle);
    }
}
