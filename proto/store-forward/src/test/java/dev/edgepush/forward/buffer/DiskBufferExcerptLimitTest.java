package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LegacyRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Where {@link DiskBuffer#MAX_EXCERPT_BYTES} comes from: what Chronicle Queue (the version on the
 * class path) really takes in one excerpt with the buffer's own queue settings. Not documented by
 * Chronicle, so measured here: if an upgrade changes it, this fails.
 */
class DiskBufferExcerptLimitTest {
    @TempDir
    Path dir;

    /** Writes an excerpt as {@code DiskBuffer} does (header fields, then the payload); false if Chronicle throws. */
    private static boolean write(ExcerptAppender appender, byte[] data, int n) {
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                var b = dc.wire().bytes();
                b.writeByte(RecordFormat.VERSION_1); // a version 1 layout, still read
                b.writeInt(1);
                b.writeLong(2);
                b.writeInt(3);
                b.writeInt(4);
                b.writeInt(n - RecordFormat.VERSION_1_HEADER_BYTES);
                b.write(data, 0, n - RecordFormat.VERSION_1_HEADER_BYTES);
            } catch (RuntimeException e) {
                dc.rollbackOnClose();
                return false;
            }
        }
        return true;
    }

    @Test
    void anExcerptOfExactlyTheMaximumFitsAnywhereInABlockAndOneByteMoreDoesNot() {
        int max = RecordFormat.MAX_EXCERPT_BYTES;
        byte[] data = new byte[2 * max];
        new SplittableRandom(1).nextBytes(data);
        SplittableRandom sizes = new SplittableRandom(2);
        int written = 0;
        try (SingleChronicleQueue q = QueueFiles.queueBuilder(
                                dir, LegacyRollCycles.MINUTELY, SystemTimeProvider.INSTANCE)
                        .build();
                ExcerptAppender appender = q.createAppender()) {
            assertEquals(RecordFormat.BLOCK_SIZE, q.blockSize());
            assertEquals(RecordFormat.MAX_EXCERPT_BYTES, q.overlapSize(), "the limit is Chronicle's overlap size");
            // 3 blocks' worth of maximal excerpts, between small ones of varying size so that they
            // start at many offsets within a block and cross block boundaries.
            for (int i = 0; i < 12; i++) {
                assertTrue(write(appender, data, max), "an excerpt of " + max + " bytes, number " + i);
                written++;
                assertTrue(write(appender, data, RecordFormat.HEADER_BYTES + sizes.nextInt(1, 4096)));
                written++;
                assertFalse(write(appender, data, max + 1), "one byte more than " + max + " throws");
            }
            // What was written reads back whole; the rejected excerpts left nothing behind.
            try (ExcerptTailer tailer = q.createTailer()) {
                int read = 0;
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) {
                            break;
                        }
                        long len = dc.wire().bytes().readRemaining();
                        assertTrue(len == max || len < 4096 + RecordFormat.HEADER_BYTES, "length " + len);
                        read++;
                    }
                }
                assertEquals(written, read);
            }
        }
    }

    @Test
    void aPieceOfThePieceLimitAlwaysFitsInAnExcerptAndOneByteMoreMightNot() {
        int piece = RecordFormat.PIECE_LIMIT_BYTES;
        assertTrue(Snappy.maxCompressedLength(piece) + RecordFormat.HEADER_BYTES <= RecordFormat.MAX_EXCERPT_BYTES);
        assertTrue(Snappy.maxCompressedLength(piece + 1) + RecordFormat.HEADER_BYTES > RecordFormat.MAX_EXCERPT_BYTES);
        for (int bytes = 100; bytes < 5000; bytes++) {
            int n = RecordFormat.pieceLimit(bytes);
            assertTrue(
                    Snappy.maxCompressedLength(n) <= bytes && Snappy.maxCompressedLength(n + 1) > bytes,
                    "for " + bytes);
        }
    }

    @Test
    void excerptsWrittenWithTheFormer4MiBBlocksReadBackWhateverTheirSize() throws Exception {
        // Before 1 MiB blocks, excerpts of up to 1 MiB were stored: a robot upgraded with such a
        // backlog must still send it.
        SplittableRandom random = new SplittableRandom(3);
        int[] sizes = {100, 1_000_000, 300_000, 5_000, (4 << 20) / 4 - 200}; // random bytes: Snappy keeps their size
        byte[][] payloads = new byte[sizes.length][];
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir.resolve("queue"))
                        .rollCycle(LegacyRollCycles.MINUTELY)
                        .blockSize(4 << 20)
                        .build();
                ExcerptAppender appender = q.createAppender()) {
            for (int i = 0; i < sizes.length; i++) {
                payloads[i] = new byte[sizes[i]];
                random.nextBytes(payloads[i]);
                byte[] compressed = Snappy.compress(payloads[i]);
                CRC32C crc = new CRC32C();
                crc.update(compressed);
                try (DocumentContext dc = appender.writingDocument()) {
                    var b = dc.wire().bytes();
                    b.writeByte(RecordFormat.VERSION_1); // a version 1 layout, still read
                    b.writeInt(i + 1);
                    b.writeLong(i);
                    b.writeInt(payloads[i].length);
                    b.writeInt((int) crc.getValue());
                    b.writeInt(compressed.length);
                    b.write(compressed);
                }
            }
        }
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            byte[] small = {1, 2, 3};
            assertTrue(buffer.append(small, small.length, 100, 9) > 0, "appending after them works too");
            assertEquals(15 + 100, buffer.pendingSamples());
            try (BufferReader reader = buffer.reader()) {
                BufferReader.Record r = new BufferReader.Record();
                for (int i = 0; i < sizes.length; i++) {
                    assertTrue(reader.next(r), "excerpt " + i);
                    assertTrue(r.compressedLength() > RecordFormat.MAX_EXCERPT_BYTES
                            || sizes[i] < RecordFormat.MAX_EXCERPT_BYTES);
                    byte[] out = new byte[r.uncompressedLength];
                    r.decompressTo(out, 0);
                    assertArrayEquals(payloads[i], out, "excerpt " + i + " of " + sizes[i] + " bytes");
                    assertEquals(i + 1, r.sampleCount);
                }
                assertTrue(reader.next(r));
                assertEquals(100, r.sampleCount);
            }
            assertEquals(0, buffer.corruptSamplesTotal());
        }
    }
}
