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

    AckPosition(AckFile ackFile, long acked) {
        this.ackFile = ackFile;
        this.acked = acked;
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
        if (index <= acked) {
            log.warn(
                    "ignoring an acknowledgement that would move back from {} to {}",
                    Long.toHexString(acked),
                    Long.toHexString(index));
            return false;
        }
        ackFile.write(index);
        acked = index;
        pendingSamples.addAndGet(-samples);
        corruptCounted.headSet(index, true).clear();
        return true;
    }

    /** See {@link DiskBuffer#countCorrupt}; true when {@code index} was counted now (not before). */
    boolean countCorrupt(long index, long samples, String what) {
        synchronized (this) {
            if (index <= acked || !corruptCounted.add(index)) {
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
     * to its end, and the generation moves so that batches read before are not acknowledged.
     */
    synchronized void trimmedTo(long lastIndex, long samples) throws IOException {
        try {
            ackFile.write(lastIndex);
        } finally {
            // The file is gone either way: nothing before its end can be read again.
            acked = lastIndex;
            generation++;
            diskFullSamples.addAndGet(samples);
            pendingSamples.addAndGet(-samples);
            corruptCounted.headSet(lastIndex, true).clear();
        }
    }
}
