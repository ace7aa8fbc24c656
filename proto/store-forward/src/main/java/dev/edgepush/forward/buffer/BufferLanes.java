package dev.edgepush.forward.buffer;

import java.io.IOException;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The two lanes of fresh-first delivery over one {@link DiskBuffer}: at most one split, kept
 * with the acknowledged position and persisted in {@link AckFile} (see {@link AckPosition}).
 * The backfill lane covers (A, S): the backlog, oldest first; the live lane covers [S, ...): what
 * was scraped since the split, also oldest first. Both lanes read from the disk buffer and are
 * acknowledged durably through {@link DiskBuffer#ack}, which moves A or L by the side of S the
 * index is on. When the backfill lane has acknowledged everything before S, {@link #merge} ends
 * the split (A := L) and the buffer is one lane again. A disk cap trim that reaches S ends it too
 * ({@link BufferTrim}). The sender is the only user; one thread.
 */
public final class BufferLanes {
    private final DiskBuffer buffer;

    BufferLanes(DiskBuffer buffer) {
        this.buffer = buffer;
    }

    /** S: the first index of the live lane, or -1 when there is no split. */
    public long split() {
        return buffer.position().split();
    }

    /** L: the live lane's acknowledged index ({@code split() - 1} when none yet), -1 without a split. */
    public long liveAcked() {
        return buffer.position().liveAcked();
    }

    /** The index of the newest excerpt in the buffer, or -1 when there is none. */
    public long newestIndex() {
        var queue = buffer.queue();
        if (queue.lastCycle() == Integer.MIN_VALUE) {
            return -1;
        }
        long last = queue.lastIndex();
        return last < 0 ? -1 : last;
    }

    /**
     * Where a live lane started now should start: the oldest of the newest excerpts stamped at or
     * after {@code sinceMs} (what was scraped within the last flush interval), going back at most
     * {@code maxSamples} samples and never to an acknowledged excerpt; at least the newest excerpt.
     * -1 when the buffer has no unacknowledged excerpt.
     */
    public long liveStart(long sinceMs, long maxSamples) {
        long newest = newestIndex();
        AckPosition p = buffer.position();
        if (newest < 0 || p.isAcked(newest)) {
            return -1;
        }
        long start = newest;
        long samples = 0;
        try (ExcerptTailer t = buffer.queue().createTailer()) {
            t.direction(TailerDirection.BACKWARD);
            if (!t.moveToIndex(newest)) {
                return newest;
            }
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent() || p.isAcked(dc.index())) {
                        break;
                    }
                    long ts = RecordFormat.timestampMs(dc.wire().bytes());
                    samples += Math.max(0, RecordFormat.sampleCount(dc.wire().bytes()));
                    if (ts < sinceMs || (samples > maxSamples && dc.index() != newest)) {
                        break;
                    }
                    start = dc.index();
                }
            }
        } catch (RuntimeException e) {
            // a damaged excerpt on the way back: start the live lane after it
        }
        return start;
    }

    /**
     * Splits the buffer: the live lane starts at {@code first}, an excerpt after the acknowledged
     * position, and everything before it is the backfill lane. Persisted before it returns. False,
     * changing nothing, when a split exists, {@code first} is not after A, or a trim happened since
     * {@code generation} ({@link DiskBuffer#trimGeneration}).
     */
    public boolean start(long first, long generation) throws IOException {
        return buffer.position().startSplit(first, generation);
    }

    /**
     * Ends the split: the backfill lane has acknowledged everything before S (its reader {@link
     * BufferReader#reachedLimit}), so A := L and the live lane goes on as the one lane. False,
     * changing nothing, without a split or after a trim since {@code generation}.
     */
    public boolean merge(long generation) throws IOException {
        return buffer.position().merge(generation);
    }

    /** A reader of the backfill lane: after A, stopping before S. Without a split: {@link DiskBuffer#reader}. */
    public BufferReader backfillReader() {
        AckPosition p = buffer.position();
        long split = p.split();
        BufferReader r = BufferReader.open(buffer.queue(), p.acked(), buffer);
        return split >= 0 ? r.limit(split) : r;
    }

    /** A reader of the live lane: after L. Without a split: {@link DiskBuffer#reader}. */
    public BufferReader liveReader() {
        AckPosition p = buffer.position();
        if (p.split() < 0) {
            return buffer.reader();
        }
        return BufferReader.open(buffer.queue(), p.liveAcked(), buffer);
    }
}
