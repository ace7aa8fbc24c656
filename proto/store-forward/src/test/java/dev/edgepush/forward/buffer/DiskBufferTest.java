package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LegacyRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskBufferTest {
    @TempDir
    Path dir;

    private static byte[] payload(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String read(BufferReader.Record r) throws IOException {
        byte[] out = new byte[r.uncompressedLength];
        int n = r.decompressTo(out, 0);
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    @Test
    void readsBackWhatWasAppendedInOrder() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            buffer.append(payload("one"), 3, 1, 1000);
            buffer.append(payload("two-two"), 7, 2, 2000);
            assertEquals(3, buffer.pendingSamples());
            try (BufferReader reader = buffer.reader()) {
                BufferReader.Record r = new BufferReader.Record();
                assertTrue(reader.next(r));
                assertEquals("one", read(r));
                assertEquals(1, r.sampleCount);
                assertEquals(1000, r.timestampMs);
                assertTrue(reader.next(r));
                assertEquals("two-two", read(r));
                assertEquals(2000, r.timestampMs);
                assertFalse(reader.next(r));
            }
        }
    }

    @Test
    void resumesAfterTheLastAckWhenReopened() throws IOException {
        long first;
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            first = buffer.append(payload("a"), 1, 5, 1);
            buffer.append(payload("b"), 1, 7, 2);
            buffer.ack(first, 5);
            assertEquals(7, buffer.pendingSamples());
        }
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            assertEquals(7, buffer.pendingSamples(), "the backlog is counted again at open");
            try (BufferReader reader = buffer.reader()) {
                BufferReader.Record r = new BufferReader.Record();
                assertTrue(reader.next(r));
                assertEquals("b", read(r));
                assertFalse(reader.next(r));
            }
        }
    }

    @Test
    void readingDoesNotAcknowledge() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            buffer.append(payload("a"), 1, 1, 1);
            try (BufferReader reader = buffer.reader()) {
                assertTrue(reader.next(new BufferReader.Record()));
            }
        }
        try (DiskBuffer buffer = DiskBuffer.open(dir);
                BufferReader reader = buffer.reader()) {
            BufferReader.Record r = new BufferReader.Record();
            assertTrue(reader.next(r));
            assertEquals("a", read(r));
        }
    }

    @Test
    void skipsAndCountsADamagedExcerpt() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            buffer.append(payload("good1"), 5, 1, 1);
        }
        // An excerpt whose payload does not match its checksum, as a torn or flipped write leaves.
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir.resolve("queue"))
                        .rollCycle(LegacyRollCycles.MINUTELY)
                        .blockSize(1 << 20)
                        .build();
                ExcerptAppender appender = q.createAppender();
                DocumentContext dc = appender.writingDocument()) {
            var b = dc.wire().bytes();
            b.writeByte(RecordFormat.VERSION_1); // a version 1 layout, still read
            b.writeInt(42);
            b.writeLong(3);
            b.writeInt(4);
            b.writeInt(0xdeadbeef);
            b.writeInt(4);
            b.write(new byte[] {1, 2, 3, 4});
        }
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            buffer.append(payload("good2"), 5, 1, 4);
            try (BufferReader reader = buffer.reader()) {
                BufferReader.Record r = new BufferReader.Record();
                assertTrue(reader.next(r));
                assertEquals("good1", read(r));
                assertTrue(reader.next(r));
                assertEquals("good2", read(r), "the damaged excerpt is skipped");
                assertEquals(42, buffer.corruptSamplesTotal());
            }
        }
    }

    /** An excerpt with a correct checksum over {@code payload} that claims {@code uncompressed}. */
    private void appendRaw(int samples, int uncompressed, byte[] payload) {
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir.resolve("queue"))
                        .rollCycle(LegacyRollCycles.MINUTELY)
                        .blockSize(1 << 20)
                        .build();
                ExcerptAppender appender = q.createAppender();
                DocumentContext dc = appender.writingDocument()) {
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(payload);
            var b = dc.wire().bytes();
            b.writeByte(RecordFormat.VERSION_1); // a version 1 layout, still read
            b.writeInt(samples);
            b.writeLong(3);
            b.writeInt(uncompressed);
            b.writeInt((int) crc.getValue());
            b.writeInt(payload.length);
            b.write(payload);
        }
    }

    /**
     * The sender joins payloads without decompressing them, trusting their Snappy length preamble:
     * a payload whose preamble is malformed or disagrees with the header is damage, skipped and
     * counted like a checksum mismatch, and the excerpts around it are read.
     */
    @Test
    void skipsAndCountsAPayloadWhoseSnappyLengthIsMalformedOrDisagrees() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            buffer.append(payload("good1"), 5, 1, 1);
        }
        byte[] abcd = org.xerial.snappy.Snappy.rawCompress(payload("abcd"), 4);
        appendRaw(10, 5, abcd); // a valid block of 4 bytes under a header saying 5
        appendRaw(20, 4, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0});
        appendRaw(40, 4, new byte[] {(byte) 0x84}); // truncated varint
        appendRaw(80, 4, new byte[0]); // no preamble at all
        appendRaw(100, 4, abcd); // intact
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            buffer.append(payload("good2"), 5, 1, 4);
            try (BufferReader reader = buffer.reader()) {
                BufferReader.Record r = new BufferReader.Record();
                assertTrue(reader.next(r));
                assertEquals("good1", read(r));
                assertTrue(reader.next(r));
                assertEquals("abcd", read(r));
                assertEquals(100, r.sampleCount);
                assertTrue(reader.next(r));
                assertEquals("good2", read(r), "the damaged excerpts are skipped");
                assertFalse(reader.next(r));
                assertEquals(10 + 20 + 40 + 80, buffer.corruptSamplesTotal());
            }
        }
    }

    /**
     * The checksum covers the payload, not the header: a damaged sample count passes it. A negative
     * one is damage (found by {@code RecordFormatFuzzTest}; it was read as intact, sent, and its
     * acknowledgement made the pending count grow): skipped, and counted as an excerpt whose
     * samples nothing tells.
     */
    @Test
    void aNegativeSampleCountUnderAGoodChecksumIsDamageCountedAsAnExcerpt() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            buffer.append(payload("good1"), 5, 1, 1);
        }
        appendRaw(-7, 4, org.xerial.snappy.Snappy.rawCompress(payload("abcd"), 4));
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            buffer.append(payload("good2"), 5, 1, 4);
            try (BufferReader reader = buffer.reader()) {
                BufferReader.Record r = new BufferReader.Record();
                assertTrue(reader.next(r));
                assertEquals("good1", read(r));
                assertTrue(reader.next(r));
                assertEquals("good2", read(r), "the excerpt with a negative count is skipped");
                assertFalse(reader.next(r));
            }
            assertEquals(0, buffer.corruptSamplesTotal());
            assertEquals(1, buffer.corruptExcerptsTotal());
            assertEquals(2, buffer.pendingSamples());
        }
    }

    /**
     * A Snappy preamble with a needless continuation byte (0x84 0x00 for 4) declares the header's
     * length, and decoders take it; but joining skips the canonical preamble's one byte, so the
     * batch would carry the 0x00 as an element. Damage (found by {@code RecordFormatFuzzTest}).
     */
    @Test
    void anOverLongSnappyPreambleIsDamage() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            buffer.append(payload("good1"), 5, 1, 1);
        }
        byte[] abcd = org.xerial.snappy.Snappy.rawCompress(payload("abcd"), 4);
        assertEquals(4, abcd[0], "a one-byte preamble");
        byte[] overLong = new byte[abcd.length + 1];
        overLong[0] = (byte) 0x84;
        System.arraycopy(abcd, 1, overLong, 2, abcd.length - 1);
        appendRaw(30, 4, overLong);
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            buffer.append(payload("good2"), 5, 1, 4);
            try (BufferReader reader = buffer.reader()) {
                BufferReader.Record r = new BufferReader.Record();
                assertTrue(reader.next(r));
                assertEquals("good1", read(r));
                assertTrue(reader.next(r));
                assertEquals("good2", read(r), "the over-long preamble is skipped");
                assertFalse(reader.next(r));
            }
            assertEquals(30, buffer.corruptSamplesTotal());
        }
    }

    @Test
    void aDamagedAckFileMeansResendEverythingNotLoseIt() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            long i = buffer.append(payload("a"), 1, 1, 1);
            buffer.ack(i, 1);
        }
        Path ack = dir.resolve(AckFile.NAME);
        byte[] bytes = Files.readAllBytes(ack);
        bytes[6] ^= 0x55;
        Files.write(ack, bytes);
        try (DiskBuffer buffer = DiskBuffer.open(dir);
                BufferReader reader = buffer.reader()) {
            BufferReader.Record r = new BufferReader.Record();
            assertTrue(reader.next(r));
            assertEquals("a", read(r));
        }
    }

    @Test
    void diskBytesCountsAllocatedBlocksNotTheSparseSize() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            byte[] big = new byte[100_000];
            Arrays.fill(big, (byte) 7);
            buffer.append(big, big.length, 1, 1);
            long apparent = 0;
            try (var files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(p)) {
                        apparent += Files.size(p);
                    }
                }
            }
            long allocated = buffer.diskBytes();
            assertTrue(allocated > 0, "some blocks are allocated");
            assertTrue(allocated < apparent / 4, "allocated " + allocated + " vs apparent " + apparent);
        }
    }

    @Test
    void diskBytesAreBytesNotKibibytes() throws IOException {
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            byte[] random = new byte[200_000];
            new java.util.SplittableRandom(7).nextBytes(random); // Snappy cannot shrink these
            buffer.append(random, random.length, 1, 1);
            long allocated = buffer.diskBytes();
            assertTrue(allocated >= 200_000, "200 kB of incompressible data take at least 300 kB: " + allocated);
        }
    }

    @Test
    void appendsFromManyThreadsAtOnceAllReadBackIntactWhateverTheirSize() throws Exception {
        int threads = 4;
        int perThread = 200;
        // sizes around the per-thread scratch array's growth, up to the longest request stored as
        // one excerpt (these bytes are no WriteRequest; longer requests are split between series,
        // see DiskBufferSplitTest)
        int[] sizes = {10, 70_000, 150_000, RecordFormat.PIECE_LIMIT_BYTES};
        try (DiskBuffer buffer = DiskBuffer.open(dir)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        byte[] p = excerpt(thread, i, i % 50 == 0 ? sizes[(thread + i / 50) % sizes.length] : 100 + i);
                        if (buffer.append(p, p.length, thread * 1000 + i, i) < 0) {
                            throw new AssertionError("append failed: " + buffer.appendFailure());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            int[] next = new int[threads];
            int read = 0;
            try (BufferReader reader = buffer.reader()) {
                BufferReader.Record r = new BufferReader.Record();
                while (reader.next(r)) {
                    int thread = r.sampleCount / 1000;
                    int i = r.sampleCount % 1000;
                    assertEquals(next[thread]++, i, "each thread's excerpts in its order");
                    byte[] out = new byte[r.uncompressedLength];
                    assertEquals(out.length, r.decompressTo(out, 0));
                    assertArrayEquals(excerpt(thread, i, out.length), out, "thread " + thread + " excerpt " + i);
                    read++;
                }
            }
            assertEquals(threads * perThread, read);
            assertEquals(0, buffer.corruptSamplesTotal());
        }
    }

    /** Compressible but distinct bytes per (thread, excerpt). */
    private static byte[] excerpt(int thread, int i, int size) {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) {
            b[k] = (byte) ((k / 7) * 31 + thread * 7 + i);
        }
        return b;
    }
}
