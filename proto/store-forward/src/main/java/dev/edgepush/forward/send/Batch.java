package dev.edgepush.forward.send;

import dev.edgepush.forward.buffer.BufferReader;
import dev.edgepush.forward.buffer.SnappyConcat;
import java.io.IOException;
import org.xerial.snappy.Snappy;

/**
 * The batch a {@link Sender} assembles from buffer excerpts: their Snappy elements joined back
 * to back in one array, behind room for the one length preamble written when the batch is
 * pushed ({@link SnappyConcat}), with what the push and its acknowledgement need to know about
 * them (uncompressed bytes and samples as the excerpts' headers give them, the last excerpt's
 * index, the sequence numbers, the newest timestamp). Owned by the sender's thread.
 *
 * <p>Excerpts of buffer format 3 (zstd, {@link BufferReader.Record#snappyBlock} false) hold no
 * Snappy block to join: their requests, decompressed by the reader, are joined uncompressed in a
 * second array, which is compressed as one Snappy block when the batch is first pushed and kept
 * for its retries (Snappy is deterministic: a batch read again after a restart is the same bytes
 * too). A batch holds excerpts of one kind: an excerpt of the other kind {@link #wouldOverflow}
 * it (that happens once, where an upgraded agent's new excerpts follow the old ones). Memory: the
 * second array grows to {@code maxBytes} (or one larger excerpt) as the first does.
 */
final class Batch {
    private final int maxBytes;
    private final int maxSamples;
    private final int capacityBound; // what a batch of maxBytes can take, about

    /**
     * The batch's Snappy elements from {@link SnappyConcat#MAX_PREAMBLE_BYTES} to {@code end};
     * the preamble is written in front of them when the batch is pushed.
     */
    private byte[] array = new byte[64 * 1024];

    private int end = SnappyConcat.MAX_PREAMBLE_BYTES;
    /** Whether the batch holds format 3 excerpts: their requests in {@link #plain}. */
    private boolean plainMode;
    /** Format 3 requests joined, {@code [0, uncompressedBytes)}; allocated at the first one. */
    private byte[] plain = new byte[0];
    /** Whether {@link #array} holds the Snappy block of {@link #plain} (from the first push on). */
    private boolean packed;

    private int uncompressedBytes;
    private int samples;
    private long lastIndex = -1;
    /**
     * The batch's excerpt sequence numbers as ranges: {@code [first0, last0, first1, last1, ...]},
     * {@code rangeCount} pairs (excerpts written before sequence numbers are left out).
     */
    private long[] ranges = new long[8];

    private int rangeCount;
    private long newestTimestampMs;
    private long openedAtMs;
    private boolean attempted;

    Batch(int maxBytes, int maxSamples) {
        this.maxBytes = maxBytes;
        this.maxSamples = maxSamples;
        // Snappy's worst case for maxBytes (32 + n + n/6), plus the preamble.
        this.capacityBound =
                (int) Math.min(Integer.MAX_VALUE - 8, SnappyConcat.MAX_PREAMBLE_BYTES + 32L + maxBytes + maxBytes / 6L);
    }

    /** No excerpt added since the last {@link #reset}. */
    boolean isEmpty() {
        return uncompressedBytes == 0 && samples == 0 && lastIndex < 0;
    }

    /** Whether {@code r} would take a batch that is not empty past its limits. */
    boolean wouldOverflow(BufferReader.Record r) {
        return !isEmpty()
                && (uncompressedBytes + r.uncompressedLength > maxBytes
                        || samples + r.sampleCount > maxSamples
                        || plainMode == r.snappyBlock());
    }

    /** Whether the batch reached its limit of bytes or samples. */
    boolean full() {
        return uncompressedBytes >= maxBytes || samples >= maxSamples;
    }

    /** Adds the excerpt in {@code r}; the first one marks the batch opened at {@code now}. */
    void add(BufferReader.Record r, long now) {
        if (isEmpty()) {
            openedAtMs = now;
            plainMode = !r.snappyBlock();
        }
        if (plainMode) {
            if (plain.length < uncompressedBytes + r.uncompressedLength) {
                int grown = (int) Math.min(maxBytes, plain.length + (long) plain.length / 2);
                plain = java.util.Arrays.copyOf(
                        plain, Math.max(Math.max(uncompressedBytes + r.uncompressedLength, grown), 64 * 1024));
            }
            r.copyRequestTo(plain, uncompressedBytes);
        } else {
            ensureCapacity(end + r.compressedLength());
            end += r.appendElementsTo(array, end);
        }
        uncompressedBytes += r.uncompressedLength;
        samples += r.sampleCount;
        lastIndex = r.index;
        addSeq(r.seq);
        newestTimestampMs = Math.max(newestTimestampMs, r.timestampMs);
    }

    /**
     * Writes the length preamble in front of the elements and returns where the request body
     * starts in {@link #array}; it ends at {@link #end}. Idempotent: a retry writes the same
     * preamble at the same place. For format 3 excerpts, compresses their requests into {@link
     * #array} as one Snappy block the first time, and returns 0.
     */
    int writePreamble() throws IOException {
        if (!plainMode) {
            return SnappyConcat.writePreamble(array, SnappyConcat.MAX_PREAMBLE_BYTES, uncompressedBytes);
        }
        if (!packed) {
            int bound = Snappy.maxCompressedLength(uncompressedBytes);
            if (array.length < bound) {
                array = new byte
                        [Math.max(bound, (int) Math.min(capacityBound, array.length + (long) array.length / 2))];
            }
            end = Snappy.rawCompress(plain, 0, uncompressedBytes, array, 0);
            packed = true;
        }
        return 0;
    }

    byte[] array() {
        return array;
    }

    int end() {
        return end;
    }

    /** Uncompressed bytes, as the excerpts' headers give them. */
    int uncompressedBytes() {
        return uncompressedBytes;
    }

    int samples() {
        return samples;
    }

    /** The queue index of the last excerpt added, -1 when none. */
    long lastIndex() {
        return lastIndex;
    }

    /** The newest excerpt timestamp (ms), 0 when empty. */
    long newestTimestampMs() {
        return newestTimestampMs;
    }

    /** When the first excerpt was added (ms). */
    long openedAtMs() {
        return openedAtMs;
    }

    /** Whether a push of this batch was tried: then nothing more is added to it. */
    boolean attempted() {
        return attempted;
    }

    void markAttempted() {
        attempted = true;
    }

    /** See {@link Sender#batchSeqRanges}. */
    String seqRanges() {
        if (rangeCount == 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder(24 * rangeCount);
        for (int i = 0; i < rangeCount; i++) {
            sb.append(i == 0 ? "" : ",").append(ranges[2 * i]).append('-').append(ranges[2 * i + 1]);
        }
        return sb.toString();
    }

    /** Empties the batch (the array is kept). */
    void reset() {
        rangeCount = 0;
        newestTimestampMs = 0;
        end = SnappyConcat.MAX_PREAMBLE_BYTES;
        uncompressedBytes = 0;
        samples = 0;
        lastIndex = -1;
        attempted = false;
        plainMode = false;
        packed = false;
    }

    private void addSeq(long seq) {
        if (seq < 0) {
            return;
        }
        if (rangeCount > 0 && ranges[2 * rangeCount - 1] == seq - 1) {
            ranges[2 * rangeCount - 1] = seq;
            return;
        }
        if (ranges.length < 2 * rangeCount + 2) {
            ranges = java.util.Arrays.copyOf(ranges, ranges.length * 2);
        }
        ranges[2 * rangeCount] = seq;
        ranges[2 * rangeCount + 1] = seq;
        rangeCount++;
    }

    /**
     * Grows the array to at least {@code needed}: by half, but not past what a batch of {@code
     * maxBytes} can need (only a single excerpt larger than that goes further).
     */
    private void ensureCapacity(int needed) {
        if (array.length < needed) {
            int grown = (int) Math.min(capacityBound, array.length + (long) array.length / 2);
            byte[] bigger = new byte[Math.max(needed, grown)];
            System.arraycopy(array, 0, bigger, 0, end);
            array = bigger;
        }
    }
}
