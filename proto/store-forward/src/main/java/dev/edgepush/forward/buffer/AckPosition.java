package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where delivery stands in a {@link DiskBuffer}: the acknowledged position (persisted in {@link
 * AckFile}), the trim generation, and the sample counts that move with them. Serializes what
 * moves the position or counts samples against it ({@link #ack}, {@link #countCorrupt}, {@link
 * #trimmedTo} and {@link BufferTrim} as a whole, which locks this object); appends only add to
 * the counts.
 *
 * <p>Lanes (fresh-first delivery, see the sender). Besides the acknowledged index A there is at
 * most one split: S, the first index of the live lane, and L, the live lane's acknowledged index
 * ({@code S - 1 <= L}). The backfill lane covers (A, S), the live lane [S, ...); acknowledged is
 * everything up to A and [S, L]. {@link #ack} moves A or L depending on which side of S the index
 * is; {@link #merge} (the backfill lane is done) and a trim that reaches S end the split with
 * A := L. Without a split, S and L are -1 and everything is as with a single lane.
 */
final class AckPosition {
    /** DiskBuffer's logger: these lines are the buffer's, as they always were. */
    private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);

    final AtomicLong pendingSamples = new AtomicLong();
    final AtomicLong corruptSamples = new AtomicLong();
    final AtomicLong diskFullSamples = new AtomicLong();
    private final AckFile ackFile;
    /** Unacknowledged excerpts already counted as corrupt (guarded by this; rare, tiny). */
    private final NavigableSet<Long> corruptCounted = new TreeSet<>();

    private volatile long generation;
    private volatile long acked;
    private volatile long split = -1;
    private volatile long liveAcked = -1;

    AckPosition(AckFile ackFile, AckState state) {
        this.ackFile = ackFile;
        this.acked = state.acked();
        this.split = state.split();
        this.liveAcked = state.liveAcked();
    }

    /** The first index of the live lane, -1 when there is no split. */
    long split() {
        return split;
    }

    /** The live lane's acknowledged index ({@code split - 1} when none yet), -1 when there is no split. */
    long liveAcked() {
        return liveAcked;
    }

    /** Whether {@code index} is acknowledged: at or before A, or in [S, L]. */
    boolean isAcked(long index) {
        long s = split;
        return index <= acked || (s >= 0 && index >= s && index <= liveAcked);
    }

    private AckState state() {
        return new AckState(acked, split, liveAcked);
    }

    /**
     * Starts the live lane at {@code first} (after A): persisted at once. False, changing nothing,
     * when a split exists, {@code first} is not after A, or a trim changed the generation.
     */
    synchronized boolean startSplit(long first, long generation) throws IOException {
        if (split >= 0 || first <= acked || generation != this.generation) {
            return false;
        }
        ackFile.write(new AckState(acked, first, first - 1));
        split = first;
        liveAcked = first - 1;
        return true;
    }

    /**
     * Ends the split once the backfill lane has acknowledged all it had (A := L). False, changing
     * nothing, when there is no split or a trim changed the generation.
     */
    synchronized boolean merge(long generation) throws IOException {
        if (split < 0 || generation != this.generation) {
            return false;
        }
        long to = Math.max(acked, liveAcked);
        ackFile.write(AckState.single(to));
        acked = to;
        split = -1;
        liveAcked = -1;
        corruptCounted.headSet(to, true).clear();
        return true;
    }

    /** The acknowledged index, -1 when nothing is. */
    long acked() {
        return acked;
    }

    /** See {@link DiskBuffer#trimGeneration}. */
    long generation() {
        return generation;
    }

    /** See {@link DiskBuffer#ack(long, long, long)}. */
    synchronized boolean ack(long index, long samples, long generation) throws IOException {
        if (generation != this.generation) {
            log.info(
                    "ignoring the acknowledgement of a batch up to {}: a disk cap trim invalidated it",
                    Long.toHexString(index));
            return false;
        }
        long s = split;
        boolean live = s >= 0 && index >= s;
        long from = live ? liveAcked : acked;
        if (index <= from) {
            log.warn(
                    "ignoring an acknowledgement that would move back from {} to {}",
                    Long.toHexString(from),
                    Long.toHexString(index));
            return false;
        }
        if (live) {
            ackFile.write(new AckState(acked, s, index));
            liveAcked = index;
            corruptCounted.subSet(s, true, index, true).clear();
        } else {
            ackFile.write(s >= 0 ? new AckState(index, s, liveAcked) : AckState.single(index));
            acked = index;
            corruptCounted.headSet(index, true).clear();
        }
        pendingSamples.addAndGet(-samples);
        return true;
    }

    /** See {@link DiskBuffer#countCorrupt}; true when {@code index} was counted now (not before). */
    boolean countCorrupt(long index, long samples, String what) {
        synchronized (this) {
            if (isAcked(index) || !corruptCounted.add(index)) {
                return false;
            }
            corruptSamples.addAndGet(samples);
            pendingSamples.addAndGet(-samples);
        }
        log.warn("skipping a damaged buffer excerpt: {}", what);
        return true;
    }

    /** Whether the unacknowledged excerpt {@code index} was counted as corrupt. */
    synchronized boolean countedCorrupt(long index) {
        return corruptCounted.contains(index);
    }

    /**
     * The disk cap deleted the file ending with excerpt {@code lastIndex}, holding {@code samples}
     * unacknowledged samples: they are counted as disk_full, the position moves (and is persisted)
     * to its end, and the generation moves so that batches read before are not acknowledged. A
     * file that reaches the live lane ({@code lastIndex >= S - 1}) ends the split: A := max(its
     * end, L).
     */
    synchronized void trimmedTo(long lastIndex, long samples) throws IOException {
        long to = lastIndex;
        boolean endsSplit = split >= 0 && lastIndex >= split - 1;
        if (endsSplit) {
            to = Math.max(lastIndex, liveAcked);
        }
        try {
            ackFile.write(split >= 0 && !endsSplit ? new AckState(to, split, liveAcked) : AckState.single(to));
        } finally {
            // The file is gone either way: nothing before its end can be read again.
            acked = to;
            if (endsSplit) {
                split = -1;
                liveAcked = -1;
            }
            generation++;
            diskFullSamples.addAndGet(samples);
            pendingSamples.addAndGet(-samples);
            corruptCounted.headSet(to, true).clear();
        }
    }
}
