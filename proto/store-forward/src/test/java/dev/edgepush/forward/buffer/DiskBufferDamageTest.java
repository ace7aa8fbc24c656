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
import java.util.TreeSet;
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
 * Breaks the buffer's files on purpose, then reopens: the buffer opens anyway, skips the damaged
 * part, counts what it can, and delivers everything else, including what is appended after.
 * Files roll every (fake) second: three files of {@link #PER_FILE} excerpts, each excerpt's
 * payload starting with its id.
 */
class DiskBufferDamageTest {
    static final int FILES = 3;
    static final int PER_FILE = 10;
    static final int SAMPLES = 7;

    @TempDir
    Path dir;

    final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T10:00:00Z"));
    final SplittableRandom random = new SplittableRandom(2026);

    private DiskBuffer open() throws IOException {
        return DiskBuffer.open(dir, 0, TestRollCycles.TEST_SECONDLY, clock);
    }

    private void append(DiskBuffer b, int id) throws IOException {
        byte[] p = new byte[3000];
        random.nextBytes(p);
        ByteBuffer.wrap(p).putInt(id);
        assertTrue(b.append(p, p.length, SAMPLES, id) >= 0);
    }

    /** Writes ids 0..29 over three files; returns the files, oldest first. */
    private List<Path> writeThreeFiles() throws IOException {
        try (DiskBuffer b = open()) {
            for (int f = 0; f < FILES; f++) {
                for (int i = 0; i < PER_FILE; i++) {
                    append(b, f * PER_FILE + i);
                }
                clock.advanceMillis(1000);
            }
        }
        return cycleFiles();
    }

    private List<Path> cycleFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("queue"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4"))
                    .sorted()
                    .toList();
        }
    }

    /** [first excerpt's start, last excerpt's end) in file number {@code f}: where the data is. */
    private long[] dataRange(int f) {
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir.resolve("queue"))
                        .rollCycle(TestRollCycles.TEST_SECONDLY)
                        .timeProvider(clock)
                        .blockSize(4 << 20)
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
                        start = dc.wire().bytes().readPosition();
                    }
                    end = dc.wire().bytes().readLimit();
                }
            }
        }
    }

    /** Reads every excerpt left; returns the ids in order. */
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

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add(i);
        }
        return l;
    }

    private static void truncate(Path f, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private void garbage(Path f, long at, int n) throws IOException {
        byte[] g = new byte[n];
        random.nextBytes(g);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(g), at);
        }
    }

    /**
     * What reading after damage must show: ids strictly increasing (nothing twice), every id of
     * the undamaged files, a prefix of the damaged file's ids, and the excerpt appended after.
     */
    private void assertDeliversEverythingElse(List<Integer> ids, int damagedFile, int appendedId) {
        assertEquals(new TreeSet<>(ids).size(), ids.size(), "no excerpt twice: " + ids);
        for (int f = 0; f < FILES; f++) {
            if (f != damagedFile) {
                assertTrue(ids.containsAll(range(f * PER_FILE, (f + 1) * PER_FILE)), "file " + f + " intact in " + ids);
            }
        }
        assertTrue(ids.contains(appendedId), "the excerpt appended after the damage is read: " + ids);
    }

    @Test
    void aTruncatedOlderFileIsReadUpToTheCutAndTheNewerFilesAfterIt() throws IOException {
        List<Path> files = writeThreeFiles();
        long[] data = dataRange(1);
        long cut = data[0] + random.nextLong(data[1] - data[0]);
        truncate(files.get(1), cut);
        try (DiskBuffer b = open()) {
            clock.advanceMillis(1000);
            append(b, 100);
            List<Integer> ids = readAll(b);
            assertDeliversEverythingElse(ids, 1, 100);
            long fromDamaged = ids.stream().filter(i -> i >= 10 && i < 20).count();
            assertTrue(
                    ids.containsAll(range(10, 10 + (int) fromDamaged)),
                    "a prefix of the cut file: " + ids + " cut at " + cut);
            assertTrue(fromDamaged < PER_FILE, "the cut removed something: " + ids);
            assertEquals(b.bufferedSamplesTotal(), SAMPLES, "one append since open");
            assertEquals(0, b.pendingSamples() - (long) ids.size() * SAMPLES, "pending counts only what is readable");
        }
    }

    @Test
    void aTruncatedNewestFileIsSalvagedSoNewAppendsAreNotLostBehindTheCut() throws IOException {
        List<Path> files = writeThreeFiles();
        long[] data = dataRange(2);
        long cut = data[0] + random.nextLong(data[1] - data[0]);
        truncate(files.get(2), cut);
        clock.advanceMillis(-1000); // restart within the same cycle as the damaged file
        try (DiskBuffer b = open()) {
            append(b, 100);
            List<Integer> ids = readAll(b);
            assertDeliversEverythingElse(ids, 2, 100);
            assertTrue(ids.indexOf(100) == ids.size() - 1, "salvaged excerpts come before new ones: " + ids);
        }
        try (Stream<Path> s = Files.list(dir.resolve("queue"))) {
            assertEquals(
                    1,
                    s.filter(p -> p.getFileName()
                                    .toString()
                                    .startsWith(files.get(2).getFileName() + ".corrupt-"))
                            .count(),
                    "the damaged file is kept aside for inspection");
        }
    }

    @Test
    void garbageOverPartOfAFileCostsOnlyTheExcerptsItHit() throws IOException {
        List<Path> files = writeThreeFiles();
        long[] data = dataRange(1);
        long at = data[0] + random.nextLong(data[1] - data[0] - 200);
        garbage(files.get(1), at, 200);
        try (DiskBuffer b = open()) {
            clock.advanceMillis(1000);
            append(b, 100);
            List<Integer> ids = readAll(b);
            assertDeliversEverythingElse(ids, 1, 100);
            long lost = PER_FILE - ids.stream().filter(i -> i >= 10 && i < 20).count();
            assertTrue(lost >= 1 && lost <= 2, "200 bytes hit one excerpt of 3 kB, or two: lost " + lost + " " + ids);
            assertTrue(b.corruptSamplesTotal() <= lost * SAMPLES, "counted where known: " + b.corruptSamplesTotal());
        }
    }

    @Test
    void anEmptyFileIsMovedAsideAndTheRestDelivered() throws IOException {
        List<Path> files = writeThreeFiles();
        truncate(files.get(1), 0);
        try (DiskBuffer b = open()) {
            clock.advanceMillis(1000);
            append(b, 100);
            List<Integer> ids = readAll(b);
            List<Integer> expected = range(0, 10);
            expected.addAll(range(20, 30));
            expected.add(100);
            assertEquals(expected, ids);
        }
        assertTrue(Files.notExists(files.get(1)));
    }

    @Test
    void garbageOverAFileHeaderMovesThatFileAside() throws IOException {
        List<Path> files = writeThreeFiles();
        garbage(files.get(0), 0, 64);
        try (DiskBuffer b = open()) {
            assertEquals(range(10, 30), readAll(b));
            assertEquals(20 * SAMPLES, b.pendingSamples());
        }
    }

    @Test
    void aDamagedQueueMetadataFileIsRebuilt() throws IOException {
        writeThreeFiles();
        Path meta = dir.resolve("queue").resolve("metadata.cq4t");
        garbage(meta, 0, 256);
        try (DiskBuffer b = open()) {
            assertEquals(range(0, 30), readAll(b));
        }
    }

    @Test
    void aTruncatedAckFileMeansResendNotLoss() throws IOException {
        writeThreeFiles();
        try (DiskBuffer b = open();
                BufferReader r = b.reader()) {
            BufferReader.Record rec = new BufferReader.Record();
            for (int i = 0; i < 15; i++) {
                assertTrue(r.next(rec));
            }
            assertTrue(b.ack(rec.index, 15 * SAMPLES));
        }
        truncate(dir.resolve(AckFile.NAME), 7);
        try (DiskBuffer b = open()) {
            assertEquals(range(0, 30), readAll(b));
        }
    }

    @Test
    void anAckInsideATruncatedNewestFileStillDeliversWhatCameAfterIt() throws IOException {
        List<Path> files = writeThreeFiles();
        try (DiskBuffer b = open();
                BufferReader r = b.reader()) {
            BufferReader.Record rec = new BufferReader.Record();
            for (int i = 0; i < 22; i++) {
                assertTrue(r.next(rec));
            }
            assertTrue(b.ack(rec.index, 22 * SAMPLES)); // up to id 21, in the newest file
        }
        truncate(files.get(2), dataRange(2)[1] - 100); // the last excerpt loses its tail
        try (DiskBuffer b = open()) {
            clock.advanceMillis(1000);
            append(b, 100);
            List<Integer> ids = readAll(b);
            List<Integer> expected = range(22, 29);
            expected.add(100);
            assertEquals(expected, ids, "after the ack, nothing before it, id 29 cut");
        }
    }
}
