package dev.edgepush.forward.buffer;

import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import org.xerial.snappy.Snappy;

/**
 * The layout of one buffer excerpt, written and read only here. Little-endian:
 *
 * <pre>
 * | offset | width | field                                                         |
 * |--------|-------|---------------------------------------------------------------|
 * | 0      | 1     | format version, 3 (or 2)                                      |
 * | 1      | 4     | sample count                                                  |
 * | 5      | 8     | scrape timestamp, ms since the epoch (the oldest sample's age) |
 * | 13     | 4     | uncompressed length: the serialized WriteRequest's             |
 * | 17     | 4     | CRC32C of the compressed payload                              |
 * | 21     | 4     | compressed payload length n                                   |
 * | 25     | 8     | sequence number of the excerpt in its buffer epoch            |
 * | 33     | n     | the payload: a remote-write 1.0 WriteRequest, compressed      |
 * </pre>
 *
 * <p>Version 3, written now, stores the WriteRequest rearranged by {@link DecimalValues#split}
 * (its structure, then its sample values as short decimals) in one zstd frame of level {@link
 * ZstdExcerpts#LEVEL} that declares its content size and decodes on its own (no dictionary, no
 * reference to another excerpt: a damaged excerpt loses only itself). On the testbed's sensor data
 * that is 5.4 bytes per sample against 13.2 for version 2 ({@code DiskBytesPerSampleTest}). Only
 * requests of up to {@link #PIECE_LIMIT_BYTES} are written so (what a reader decompresses stays
 * bounded); a longer single field, a frame that would not fit an excerpt, and every excerpt on a
 * machine where zstd's native library does not load are written as version 2.
 *
 * <p>Version 2 stores the Snappy block of the serialized request. Serialized WriteRequests
 * concatenate into one WriteRequest, and Snappy blocks join into one block by concatenating their
 * elements under one length preamble ({@link SnappyConcat}), so the sender builds a batch of
 * version 2 excerpts without decompressing them; a batch of version 3 excerpts is decompressed and
 * compressed again as one Snappy block (a batch holds excerpts of one kind only).
 *
 * <p>Version 1 (written before sequence numbers existed) is version 2 without the sequence field:
 * the payload starts at 25. It is still read, with sequence number -1 (unknown), so a buffer or WAL
 * written before an upgrade drains as it was, as versions 2 and 3 are. See {@link BufferEpoch} for
 * what the sequence number means.
 *
 * <p>An excerpt is damaged when its header is short, its version is none of 3, 2, 1, its sample
 * count or sequence number is negative (the checksum covers the payload only, not the header), its
 * payload length disagrees with what it holds, or its checksum does not match; a version 2 or 1
 * one when its payload's Snappy length preamble is malformed or disagrees with the header's
 * uncompressed length; a version 3 one when its uncompressed length is over {@link
 * #PIECE_LIMIT_BYTES}, its frame does not decode to the content size it declares, or the values do
 * not fill the structure to exactly the header's uncompressed length.
 */
final class RecordFormat {
    /** What the writer writes (zstd), unless it falls back to {@link #VERSION_2}. */
    static final byte VERSION = 3;
    /** Snappy excerpts: written where version 3 cannot be (see the class comment), always read. */
    static final byte VERSION_2 = 2;
    /** Excerpts written before sequence numbers: read, never written. */
    static final byte VERSION_1 = 1;
    /** The header of versions 3 and 2. */
    static final int HEADER_BYTES = 33;

    static final int VERSION_1_HEADER_BYTES = 25;
    /**
     * Chronicle's block size, in {@link QueueFiles#queueBuilder} (the queue and the salvage path alike): the
     * appender and the reader each keep a block plus its overlap (a quarter block) mapped, and
     * mapped pages count in the process's RSS. 1 MiB: the queue's mappings peaked at 3.2 MiB
     * resident (3.9 MiB mapped) instead of 11.7 MiB (15.5 MiB) with 4 MiB blocks, appending 3,000
     * requests of 84 kB and reading them back (/proc/self/smaps). A request of up to {@link
     * #PIECE_LIMIT_BYTES} (224 kB; 1,000 series of 4 samples take 168 kB) is still one excerpt.
     * Smaller blocks map less (512 KiB: about 2 MiB peak) but would split ordinary scrapes. Files
     * written with 4 MiB blocks, excerpts of up to 1 MiB included, read back unchanged
     * ({@code DiskBufferExcerptLimitTest}).
     */
    static final int BLOCK_SIZE = 1 << 20;
    /**
     * The largest excerpt (our header plus the Snappy block) Chronicle Queue 2026.4 takes with
     * {@link #BLOCK_SIZE}: a quarter of the block, its overlap size. Measured, not documented:
     * {@code DiskBufferExcerptLimitTest} writes excerpts of exactly this many bytes over several
     * blocks, and sees one byte more throw {@code DecoratedBufferOverflowException} ("write failed.
     * Length: N+1 &gt; writeRemaining: N") at any position in a block.
     */
    static final int MAX_EXCERPT_BYTES = BLOCK_SIZE / 4;
    /**
     * The largest uncompressed piece of a request stored as one excerpt: the largest {@code n}
     * with {@code Snappy.maxCompressedLength(n) + HEADER_BYTES <= MAX_EXCERPT_BYTES}, Snappy's
     * worst case being {@code 32 + n + n / 6}. Requests up to this long are one excerpt whatever
     * their content; longer ones are split (see {@link ExcerptWriter}).
     */
    static final int PIECE_LIMIT_BYTES = pieceLimit(MAX_EXCERPT_BYTES - HEADER_BYTES);

    private RecordFormat() {}

    /** The largest {@code n} with {@code 32 + n + n / 6 <= bytes} (Snappy's worst case). */
    static int pieceLimit(int bytes) {
        int n = (int) ((bytes - 32L) * 6 / 7);
        while (32L + (n + 1) + (n + 1) / 6 <= bytes) {
            n++;
        }
        while (32L + n + n / 6 > bytes) {
            n--;
        }
        return n;
    }

    /** Writes one excerpt of format {@code version} (3 or 2): the header, then {@code compressed[0, n)}. */
    static void write(
            Bytes<?> b,
            byte version,
            int sampleCount,
            long timestampMs,
            int uncompressedLength,
            int checksum,
            byte[] compressed,
            int n,
            long seq) {
        b.writeByte(version);
        b.writeInt(sampleCount);
        b.writeLong(timestampMs);
        b.writeInt(uncompressedLength);
        b.writeInt(checksum);
        b.writeInt(n);
        b.writeLong(seq);
        b.write(compressed, 0, n);
    }

    /** The header length of format {@code version}, or -1 for an unknown version. */
    static int headerBytes(byte version) {
        return version == VERSION || version == VERSION_2
                ? HEADER_BYTES
                : version == VERSION_1 ? VERSION_1_HEADER_BYTES : -1;
    }

    /**
     * The sample count of the excerpt at {@code b}'s read position (never negative), or -1 when
     * its header is short or of an unknown version. Reads the header only.
     */
    static int sampleCount(Bytes<?> b) {
        long remaining = b.readRemaining();
        if (remaining < VERSION_1_HEADER_BYTES) {
            return -1;
        }
        int header = headerBytes(b.readByte());
        if (header < 0 || remaining < header) {
            return -1;
        }
        return Math.max(0, b.readInt());
    }

    /**
     * The timestamp of the excerpt at {@code b}'s read position, or -1 when its header is short or
     * of an unknown version. Reads the header only, without moving the read position.
     */
    static long timestampMs(Bytes<?> b) {
        long start = b.readPosition();
        if (b.readRemaining() < VERSION_1_HEADER_BYTES) {
            return -1;
        }
        int header = headerBytes(b.readByte(start));
        if (header < 0 || b.readRemaining() < header) {
            return -1;
        }
        return b.readLong(start + 5);
    }

    /**
     * The sequence number of the excerpt at {@code b}'s read position, or -1 when its header is
     * short, of version 1 (no sequence number) or of an unknown version. Reads the header only.
     */
    static long seq(Bytes<?> b) {
        long start = b.readPosition();
        if (b.readRemaining() < HEADER_BYTES || headerBytes(b.readByte(start)) != HEADER_BYTES) {
            return -1;
        }
        return b.readLong(start + VERSION_1_HEADER_BYTES);
    }

    /**
     * Reads the excerpt at {@code b}'s read position into {@code r} (all but its index). Returns
     * null when it is intact, else what is wrong; then {@code r.sampleCount} holds the samples to
     * count as corrupt, or -1 when the header does not tell them (short, of another version, or a
     * negative count: the excerpt is then counted as an excerpt, see {@link DiskBuffer#countCorrupt}).
     */
    static String read(Bytes<?> b, BufferReader.Record r, CRC32C crc) {
        long remaining = b.readRemaining();
        r.seq = -1;
        if (remaining < VERSION_1_HEADER_BYTES) {
            r.sampleCount = -1;
            return "has " + remaining + " bytes, less than a header";
        }
        byte version = b.readByte();
        int samples = b.readInt();
        int header = headerBytes(version);
        if (header < 0) {
            r.sampleCount = -1;
            return "has format version " + version + ", expected " + VERSION + " (or " + VERSION_2 + ", " + VERSION_1
                    + ")";
        }
        if (remaining < header) {
            r.sampleCount = -1;
            return "has " + remaining + " bytes, less than a version " + version + " header";
        }
        if (samples < 0) {
            // The checksum covers the payload, not the header: a damaged count can pass it. Read as
            // intact, it would be sent and acknowledged with a negative count (pending samples grow).
            r.sampleCount = -1;
            return "declares " + samples + " samples";
        }
        r.sampleCount = samples;
        r.timestampMs = b.readLong();
        r.uncompressedLength = b.readInt();
        int expectedCrc = b.readInt();
        int n = b.readInt();
        if (header == HEADER_BYTES) {
            r.seq = b.readLong();
            if (r.seq < 0) {
                r.sampleCount = samples;
                return "declares sequence number " + r.seq;
            }
        }
        if (n < 0 || n > b.readRemaining() || r.uncompressedLength < 0) {
            r.sampleCount = samples;
            return "declares " + n + " payload bytes but holds " + b.readRemaining();
        }
        if (r.compressed.length < n) {
            r.compressed = new byte[Math.max(n, r.compressed.length * 2)];
        }
        b.read(r.compressed, 0, n);
        r.compressedLength = n;
        crc.reset();
        crc.update(r.compressed, 0, n);
        if ((int) crc.getValue() != expectedCrc) {
            r.sampleCount = samples;
            return "checksum " + Integer.toHexString((int) crc.getValue()) + " != stored "
                    + Integer.toHexString(expectedCrc);
        }
        r.version = version;
        if (version == VERSION) {
            String wrong = unpack(r);
            if (wrong != null) {
                r.sampleCount = samples;
            }
            return wrong;
        }
        // The sender joins payloads without decompressing them (SnappyConcat): the length it sends
        // must be the one the payload declares, or the whole batch would be undecodable.
        int declared = SnappyConcat.uncompressedLength(r.compressed, 0, n);
        if (declared != r.uncompressedLength) {
            r.sampleCount = samples;
            return "payload declares " + (declared < 0 ? "a malformed Snappy length" : declared + " uncompressed bytes")
                    + ", header " + r.uncompressedLength;
        }
        return null;
    }

    /**
     * Decompresses a version 3 payload into {@code r.request}; returns null when it gives the
     * header's uncompressed length exactly, else what is wrong.
     */
    private static String unpack(BufferReader.Record r) {
        if (r.uncompressedLength > PIECE_LIMIT_BYTES) {
            return "declares " + r.uncompressedLength + " uncompressed bytes, over the " + PIECE_LIMIT_BYTES
                    + " of a format " + VERSION + " excerpt";
        }
        if (!ZstdExcerpts.available()) {
            return "is zstd-compressed (format " + VERSION + ") but zstd's native library does not load here";
        }
        long content = ZstdExcerpts.contentSize(r.compressed, r.compressedLength);
        if (content < r.uncompressedLength || content > DecimalValues.maxSplitLength(r.uncompressedLength)) {
            return "payload declares " + (content < 0 ? "no zstd content size" : content + " bytes") + " for "
                    + r.uncompressedLength + " uncompressed bytes";
        }
        if (r.request.length < content) {
            r.request = new byte[(int) Math.max(content, Math.min(2L * r.request.length, 2L * PIECE_LIMIT_BYTES))];
        }
        if (ZstdExcerpts.decompress(r.compressed, r.compressedLength, r.request, (int) content) < 0) {
            return "payload is no zstd frame of " + content + " bytes";
        }
        if (DecimalValues.join(r.request, r.uncompressedLength, (int) content) < 0) {
            return "payload's values do not fill its " + r.uncompressedLength + " bytes of structure";
        }
        return null;
    }

    /**
     * A thread's compression of a payload: its version (3, or 2 where 3 cannot be), output array
     * and checksum; arrays over {@link #KEPT_BYTES} are not kept.
     */
    static final class Compressor {
        /**
         * Every excerpt fits (pieces are at most {@link #PIECE_LIMIT_BYTES}); only a single
         * series too long for a piece gets a one-off array, to find out whether it compresses to one.
         */
        static final int KEPT_BYTES = MAX_EXCERPT_BYTES;

        private final CRC32C crc = new CRC32C();
        private byte[] compressed = new byte[64 * 1024];
        /** {@link DecimalValues#split}'s output, kept as {@link #compressed} is. */
        private byte[] split = new byte[64 * 1024];
        /** The output of the last {@link #compress}: {@code output()[0, length)}. */
        private byte[] output;

        private int length;
        private byte version;

        /** {@link #compress(byte[], int, int, boolean)} in format 3 where it can be. */
        void compress(byte[] src, int from, int len) throws java.io.IOException {
            compress(src, from, len, true);
        }

        /**
         * Compresses {@code src[from, from + len)}; see {@link #version}, {@link #output}, {@link
         * #length}. Version 3 when {@code dense} and it can be (see the class comment), else 2.
         */
        void compress(byte[] src, int from, int len, boolean dense) throws java.io.IOException {
            if (dense && len <= PIECE_LIMIT_BYTES && ZstdExcerpts.available()) {
                int splitMax = DecimalValues.maxSplitLength(len);
                if (split.length < splitMax) {
                    split = new byte[Math.max(splitMax, Math.min(2 * split.length, 2 * PIECE_LIMIT_BYTES))];
                }
                int splitLength = DecimalValues.split(src, from, len, split);
                output = array(ZstdExcerpts.maxCompressedLength(splitLength));
                length = ZstdExcerpts.compress(split, splitLength, output);
                version = VERSION;
                if (length + HEADER_BYTES <= MAX_EXCERPT_BYTES) {
                    return;
                }
            }
            output = array(Snappy.maxCompressedLength(len));
            length = Snappy.rawCompress(src, from, len, output, 0);
            version = VERSION_2;
        }

        /** The format of the last output: {@link #VERSION} (zstd) or {@link #VERSION_2} (Snappy). */
        byte version() {
            return version;
        }

        /** The CRC32C of the last output. */
        int checksum() {
            crc.reset();
            crc.update(output, 0, length);
            return (int) crc.getValue();
        }

        byte[] output() {
            return output;
        }

        int length() {
            return length;
        }

        private byte[] array(int maxBytes) {
            if (maxBytes <= compressed.length) {
                return compressed;
            }
            if (maxBytes > KEPT_BYTES) {
                return new byte[maxBytes];
            }
            compressed = new byte[Math.min(KEPT_BYTES, Math.max(maxBytes, compressed.length * 2))];
            return compressed;
        }
    }
}
