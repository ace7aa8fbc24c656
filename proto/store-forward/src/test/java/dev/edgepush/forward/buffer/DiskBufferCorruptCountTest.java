package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every excerpt lost to damage is counted: its samples in {@code corruptSamplesTotal} when an
 * excerpt header still tells them, otherwise the excerpt in {@code corruptExcerptsTotal}; a file
 * in which nothing can be counted in {@code corruptFilesTotal} (which counts every damaged file).
 * So what was written equals what is read plus what is counted. Three files of {@link #PER_FILE}
 * excerpts of {@link #SAMPLES} samples, ids 0..29; files roll every (fake) second.
 */
class DiskBufferCorruptCountTest {
    static final int FILES = 3;
    static final int PER_FILE = 10;
    static final int SAMPLES = 7;

    @TempDir
    Path dir;

    final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T10:00:00Z"));
    final SplittableRandom random = new SplittableRandom(11);

    private DiskBuffer open() throws IOException {
        return DiskBuffer.open(dir, 0, TestRollCycles.TEST_SECONDLY, clock);
    }

    private List<Path> writeThreeFiles() throws IOException {
        try (DiskBuffer b = open()) {
            for (int id = 0; id < FILES * PER_FILE; id++) {
                byte[] p = new byte[3000];
                random.nextBytes(p);
                ByteBuffer.wrap(p).putInt(id);
                assertTrue(b.append(p, p.length, SAMPLES, id) >= 0);
                if (id % PER_FILE == PER_FILE - 1) {
                    clock.advanceMillis(1000);
                }
            }
        }
        clock.advanceMillis(-1000); // restart within the newest file's second: it is the one appended to
        try (Stream<Path> s = Files.list(dir.resolve("queue"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4"))
                    .sorted()
                    .toList();
        }
    }

    /** [first excerpt's start, last excerpt's end) in file number {@code f}. */
    private long[] dataRange(int f) {
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir.resolve("queue"))
                        .rollCycle(TestRollCycles.TEST_SECONDLY)
                        .timeProvider(clock)
                        .blockSize(RecordFormat.BLOCK_SIZE)
                        .build();
                ExcerptTailer t = q.createTailer()) {
            int cycle = q.firstCycle() + f;
            t.moveToCycle(cycle);
            long start = -1;
            long end = -1;
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent() || t.cycle() != cycle) {
                        return new long[] {start, end};
                    }
                    if (start < 0) {
                        start = dc.wire().bytes().readPosition() - 4;
                    }
                    end = dc.wire().bytes().readLimit();
                }
            }
        }
    }

    private static List<Integer> readAll(DiskBuffer b) throws IOException {
        List<Integer> ids = new ArrayList<>();
        try (BufferReader r = b.reader()) {
            BufferReader.Record rec = new BufferReader.Record();
            while (r.next(rec)) {
                byte[] out = new byte[rec.uncompressedLength];
                rec.decompressTo(out, 0);
                ids.add(ByteBuffer.wrap(out).getInt());
            }
        }
        return ids;
    }

    private static void truncate(Path f, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static void zeroFill(Path f, long from, long to) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            for (long at = from; at < to; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), to - at));
                at += ch.write(zeros, at);
            }
        }
    }

    /** Read + counted-with-samples + counted-as-excerpts covers every excerpt written. */
    private static void assertEverythingAccountedFor(DiskBuffer b, List<Integer> ids) {
        long lostExcerpts = FILES * PER_FILE - ids.size();
        long countedExcerpts = b.corruptSamplesTotal() / SAMPLES + b.corruptExcerptsTotal();
        System.out.printf(
                "read=%d lost=%d corrupt_samples=%d corrupt_excerpts=%d corrupt_files=%d%n",
                ids.size(), lostExcerpts, b.corruptSamplesTotal(), b.corruptExcerptsTotal(), b.corruptFilesTotal());
        assertTrue(lostExcerpts > 0, "the damage cost something: " + ids);
        assertEquals(0, b.corruptSamplesTotal() % SAMPLES, "whole excerpts' samples");
        assertEquals(lostExcerpts, countedExcerpts, "every lost excerpt counted, read: " + ids);
    }

    @Test
    void aTruncatedNewestFileCountsEveryExcerptPastTheCut() throws IOException {
        List<Path> files = writeThreeFiles();
        long[] data = dataRange(2);
        truncate(files.get(2), data[0] + (data[1] - data[0]) / 3);
        try (DiskBuffer b = open()) {
            List<Integer> ids = readAll(b);
            assertEverythingAccountedFor(b, ids);
            assertEquals(1, b.corruptFilesTotal());
        }
    }

    @Test
    void aNewestFileZeroFilledFromItsFirstExcerptCountsEveryExcerpt() throws IOException {
        List<Path> files = writeThreeFiles();
        long[] data = dataRange(2);
        zeroFill(files.get(2), data[0], Files.size(files.get(2)));
        try (DiskBuffer b = open()) {
            List<Integer> ids = readAll(b);
            assertEquals(20, ids.size(), "the two older files are intact: " + ids);
            assertEverythingAccountedFor(b, ids);
            assertEquals(
                    PER_FILE, b.corruptExcerptsTotal(), "the index still tells how many, nothing tells their samples");
            assertEquals(1, b.corruptFilesTotal());
        }
    }

    @Test
    void aWhollyZeroFilledNewestFileIsCountedAsAFile() throws IOException {
        List<Path> files = writeThreeFiles();
        zeroFill(files.get(2), 0, Files.size(files.get(2)));
        try (DiskBuffer b = open()) {
            List<Integer> ids = readAll(b);
            assertEquals(20, ids.size(), "the two older files are intact: " + ids);
            assertEquals(1, b.corruptFilesTotal(), "nothing in it can be counted but the file");
            assertEquals(0, b.corruptExcerptsTotal());
        }
    }

    @Test
    void aTruncatedOlderFileCountsTheExcerptsItLost() throws IOException {
        List<Path> files = writeThreeFiles();
        long[] data = dataRange(1);
        truncate(files.get(1), data[0] + (data[1] - data[0]) / 2);
        try (DiskBuffer b = open()) {
            List<Integer> ids = readAll(b);
            assertEverythingAccountedFor(b, ids);
            assertEquals(1, b.corruptFilesTotal());
        }
    }

    @Test
    void onlyUnacknowledgedExcerptsAreCounted() throws IOException {
        List<Path> files = writeThreeFiles();
        try (DiskBuffer b = open();
                BufferReader r = b.reader()) {
            BufferReader.Record rec = new BufferReader.Record();
            for (int i = 0; i < 24; i++) {
                assertTrue(r.next(rec));
            }
            assertTrue(b.ack(rec.index, 24L * SAMPLES)); // ids 0..23 delivered
        }
        long[] data = dataRange(2);
        zeroFill(files.get(2), data[0], Files.size(files.get(2)));
        try (DiskBuffer b = open()) {
            assertEquals(List.of(), readAll(b));
            assertEquals(0, b.corruptSamplesTotal());
            assertEquals(6, b.corruptExcerptsTotal(), "ids 24..29, not the delivered ones");
            assertEquals(1, b.corruptFilesTotal());
        }
    }
}
