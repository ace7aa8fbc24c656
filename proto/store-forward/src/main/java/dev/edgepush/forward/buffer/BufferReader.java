package dev.edgepush.forward.buffer;

import java.io.Closeable;
import java.io.IOException;
import java.util.zip.CRC32C;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.xerial.snappy.Snappy;

/**
 * Reads excerpts in order, starting after the acknowledged position. Reading does not
 * acknowledge anything: only {@link DiskBuffer#ack} does. Not thread-safe: the sender's thread
 * owns it. Damaged excerpts are skipped and counted (see {@link DiskBuffer}).
 *
 * <p>Damaged files. A cycle file that ends without Chronicle's end-of-file marker although a
 * newer file exists (truncated, or garbage over an index or an excerpt header), or whose
 * reading throws, would stop a plain tailer for good. Once a newer file exists nothing is
 * appended to an older one any more, so the reader then logs the damage once and moves on to
 * the next file. Excerpts at or before the acknowledged index are skipped (the reader may have
 * to start at the beginning of a file when the acknowledged excerpt cannot be found).
 *
 * <p>Lanes. A reader may stop before an index ({@code limit}, exclusive: the backfill lane ends
 * where the live lane starts) and skip a range already acknowledged (the live lane's, for a
 * reader of everything pending); see {@link AckPosition}.
 */
public final class BufferReader implements Closeable {
    private final ExcerptTailer tailer;
    private final DiskBuffer buffer;
    private final CRC32C crc = new CRC32C();
    private final long ackedIndex;
    private long limit = Long.MAX_VALUE;
    private long skipFrom = Long.MAX_VALUE;
    private long skipTo = Long.MIN_VALUE;
    private boolean reachedLimit;

    BufferReader(ExcerptTailer tailer, DiskBuffer buffer, long ackedIndex) {
        this.tailer = tailer;
        this.buffer = buffer;
        this.ackedIndex = ackedIndex;
    }

    /** Stops before {@code index} (exclusive): the backfill lane's end. */
    BufferReader limit(long index) {
        this.limit = index;
        return this;
    }

    /** Skips the excerpts in [{@code from}, {@code to}] (the live lane's acknowledged range). */
    BufferReader skip(long from, long to) {
        this.skipFrom = from;
        this.skipTo = to;
        return this;
    }

    /** Whether the reader met an excerpt at or after its {@link #limit}: it has nothing more to read, ever. */
    public boolean reachedLimit() {
        return reachedLimit;
    }

    /** One excerpt, reused between calls. */
    public static final class Record {
        public long index;
        /** The excerpt's sequence number in its buffer epoch ({@link BufferEpoch}); -1 for one written before they existed. */
        public long seq = -1;

        public int sampleCount;
        public long timestampMs;
        public int uncompressedLength;
        byte[] compressed;
        int compressedLength;
        /** The excerpt's format ({@link RecordFormat}). */
        byte version;
        /**
         * A format 3 excerpt's request, {@code [0, uncompressedLength)}, decompressed by the reader
         * (which so finds a damaged one); unused for formats 2 and 1.
         */
        byte[] request = new byte[0];

        public Record() {
            this(64 * 1024);
        }

        /** A record with room for {@code compressedBytes} of payload to begin with (0: for headers only). */
        Record(int compressedBytes) {
            compressed = new byte[compressedBytes];
        }

        /**
         * Reads one excerpt's bytes as stored ({@code excerpt}, Chronicle's document without its
         * own header) into this record, as the reader does; returns null when it is intact, else
         * what is wrong. For tests and tools that read a buffer's files themselves: the layout
         * stays known only to {@link RecordFormat}.
         */
        public String readFrom(byte[] excerpt) {
            return RecordFormat.read(net.openhft.chronicle.bytes.Bytes.wrapForRead(excerpt), this, new CRC32C());
        }

        /** Decompresses the payload into {@code dst} at {@code offset}; returns its length. */
        public int decompressTo(byte[] dst, int offset) throws IOException {
            if (!snappyBlock()) {
                return copyRequestTo(dst, offset);
            }
            return Snappy.rawUncompress(compressed, 0, compressedLength, dst, offset);
        }

        /**
         * Whether the payload is a Snappy block ({@link #appendElementsTo} joins it to others), not a
         * zstd frame of format 3 ({@link #copyRequestTo}). A batch holds excerpts of one kind.
         */
        public boolean snappyBlock() {
            return version != RecordFormat.VERSION;
        }

        /** Bytes of the payload as stored; {@link #appendElementsTo} copies fewer. */
        public int compressedLength() {
            return compressedLength;
        }

        /**
         * Copies the payload's Snappy elements (the block without its preamble, whose length the
         * reader checked against {@link #uncompressedLength}) to {@code dst} at {@code offset};
         * returns how many bytes. See {@link SnappyConcat}. Only for a {@link #snappyBlock}.
         */
        public int appendElementsTo(byte[] dst, int offset) {
            if (!snappyBlock()) {
                throw new IllegalStateException("a format " + version + " excerpt holds no Snappy block");
            }
            return SnappyConcat.appendElements(compressed, 0, compressedLength, dst, offset);
        }

        /**
         * Copies a format 3 excerpt's request ({@link #uncompressedLength} bytes, decompressed when
         * it was read) to {@code dst} at {@code offset}; returns how many bytes. Not for a {@link
         * #snappyBlock}.
         */
        public int copyRequestTo(byte[] dst, int offset) {
            if (snappyBlock()) {
                throw new IllegalStateException("a format " + version + " excerpt is a Snappy block");
            }
            System.arraycopy(request, 0, dst, offset, uncompressedLength);
            return uncompressedLength;
        }
    }

    /** A reader of {@code queue} positioned right after the acknowledged excerpt {@code acked}. */
    static BufferReader open(SingleChronicleQueue queue, long acked, DiskBuffer buffer) {
        ExcerptTailer tailer = queue.createTailer();
        if (acked >= 0) {
            if (tailer.moveToIndex(acked)) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    // skip the acknowledged excerpt itself
                    dc.isPresent();
                }
            } else if (tailer.moveToIndex(acked + 1)) {
                // The position is just before the first excerpt of a cycle (a live lane that starts
                // there and has acknowledged nothing yet): that excerpt is next.
            } else {
                // The acknowledged excerpt is gone (its file trimmed by the disk cap, or moved aside as
                // damaged) or its index is damaged: start at the first file from its cycle on; the
                // reader skips anything at or before the acknowledged index.
                int next = QueueFiles.nextCycleFrom(queue, queue.rollCycle().toCycle(acked));
                if (next == Integer.MIN_VALUE || !tailer.moveToCycle(next)) {
                    tailer.toStart();
                }
            }
        } else {
            tailer.toStart();
        }
        return new BufferReader(tailer, buffer, acked);
    }

    /**
     * Reads the next intact excerpt into {@code r}. Returns false when there is none yet.
     * Damaged excerpts are skipped.
     */
    public boolean next(Record r) {
        return advance(r, false);
    }

    /**
     * Like {@link #next} but reads only the header (index, sample count, sequence number), damaged
     * or not, counting nothing; used to count the backlog at open and by {@link
     * DiskBuffer#undeliveredFromSeq}.
     */
    boolean nextHeader(Record r) {
        return advance(r, true);
    }

    /**
     * Moves to the next excerpt after the acknowledged one and reads it into {@code r}: its index
     * and sample count only when {@code headerOnly}, else all of it, skipping a damaged one.
     */
    private boolean advance(Record r, boolean headerOnly) {
        while (!reachedLimit) {
            // The newest cycle, seen BEFORE the read: a writer that has rolled past the tailer's
            // cycle by then has finished that cycle, so a read that finds nothing more in it means
            // damage. Looked at after the read, a roll in between would skip the cycle's last
            // excerpts (BufferReaderRollRaceTest).
            int newest = buffer.lastCycle();
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    if (skipDamagedCycle(
                            newest, "it ends without an end-of-file marker although a newer file exists")) {
                        continue;
                    }
                    return false;
                }
                long index = dc.index();
                if (index <= ackedIndex) {
                    continue;
                }
                if (index >= limit) {
                    reachedLimit = true; // this reader is done; the excerpt is the live lane's
                    return false;
                }
                if (index >= skipFrom && index <= skipTo) {
                    continue;
                }
                if (headerOnly) {
                    r.index = dc.index();
                    r.seq = RecordFormat.seq(dc.wire().bytes()); // first: sampleCount moves the read position
                    r.sampleCount =
                            Math.max(0, RecordFormat.sampleCount(dc.wire().bytes()));
                    return true;
                }
                if (read(dc, r)) {
                    return true;
                }
            } catch (RuntimeException e) {
                if (!skipDamagedCycle(buffer.lastCycle(), "reading it failed: " + e)) {
                    throw e;
                }
            }
        }
        return false;
    }

    /**
     * When the tailer is stuck in a cycle older than the newest, moves it to the next existing
     * cycle and returns true; otherwise false (the end of the newest cycle: nothing more yet).
     */
    private boolean skipDamagedCycle(int newest, String what) {
        int cycle = tailer.cycle();
        if (cycle >= newest) {
            return false;
        }
        int next = buffer.nextCycleFrom(cycle + 1);
        if (next == Integer.MIN_VALUE || !tailer.moveToCycle(next)) {
            return false;
        }
        buffer.damagedCycle(cycle, next, what);
        return true;
    }

    private boolean read(DocumentContext dc, Record r) {
        r.index = dc.index();
        String damage = RecordFormat.read(dc.wire().bytes(), r, crc);
        if (damage != null) {
            buffer.countCorrupt(r.index, r.sampleCount, "excerpt " + Long.toHexString(r.index) + " " + damage);
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        tailer.close();
    }
}
