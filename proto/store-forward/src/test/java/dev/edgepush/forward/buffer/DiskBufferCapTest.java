package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk cap, on real Chronicle files. Files roll every (fake) second, so tests advance a
 * settable clock instead of sleeping.
 */
class DiskBufferCapTest {
    static final long CAP = 1_500_000;
    static final int PER_CYCLE = 5;
    static final int PAYLOAD = 100_000; // random bytes: Snappy cannot shrink them

    @TempDir
    Path dir;

    final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T10:00:00Z"));
    final SplittableRandom random = new SplittableRandom(42);
    final List<Long> indices = new ArrayList<>();
    final List<Integer> samples = new ArrayList<>();

    private DiskBuffer open(long cap) throws IOException {
        return DiskBuffer.open(dir, cap, TestRollCycles.TEST_SECONDLY, clock);
    }

    /** Appends excerpt number {@code indices.size()}: its id, then random bytes. */
    private void append(DiskBuffer b) throws IOException {
        int id = indices.size();
        byte[] p = new byte[PAYLOAD];
        random.nextBytes(p);
        ByteBuffer.wrap(p).putInt(id);
        int n = id % 7 + 1;
        indices.add(b.append(p, p.length, n, id));
        samples.add(n);
    }

    private static int id(BufferReader.Record r) throws IOException {
        byte[] out = new byte[r.uncompressedLength];
        r.decompressTo(out, 0);
        return ByteBuffer.wrap(out).getInt();
    }

    private long sum(int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) {
            s += samples.get(i);
        }
        return s;
    }

    private List<Path> cycleFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("queue"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4"))
                    .sorted()
                    .toList();
        }
    }

    private long newestFileBytes() throws IOException {
        List<Path> files = cycleFiles();
        return DiskUsage.allocatedBytesOfFile(files.get(files.size() - 1));
    }

    /** Reads all that is left; asserts it is the newest excerpts, in order; returns the first id. */
    private int assertSuffixInOrder(DiskBuffer b) throws IOException {
        List<Integer> ids = new ArrayList<>();
        try (BufferReader reader = b.reader()) {
            BufferReader.Record r = new BufferReader.Record();
            while (reader.next(r)) {
                int id = id(r);
                assertEquals(indices.get(id), r.index, "excerpt " + id + " has the index it was written at");
                ids.add(id);
            }
        }
        assertFalse(ids.isEmpty(), "the newest data is readable");
        int first = ids.get(0);
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(first + i, ids.get(i), "in order, no gap");
        }
        assertEquals(indices.size() - 1, ids.get(ids.size() - 1), "ends with the newest excerpt");
        return first;
    }

    /** Writes {@code cycles} files of PER_CYCLE excerpts, enforcing the cap after each. */
    private void writeCycles(DiskBuffer b, int cycles) throws IOException {
        for (int c = 0; c < cycles; c++) {
            for (int k = 0; k < PER_CYCLE; k++) {
                append(b);
            }
            clock.advanceMillis(1000);
            b.enforceCap();
            long used = b.diskBytes();
            long newest = newestFileBytes();
            assertTrue(used <= CAP + newest, "disk use " + used + " <= cap " + CAP + " + newest file " + newest);
        }
    }

    @Test
    void writingFarPastTheCapKeepsTheNewestAndCountsExactlyTheUnsentOldest() throws IOException {
        try (DiskBuffer b = open(CAP)) {
            for (int k = 0; k < PER_CYCLE; k++) {
                append(b);
            }
            assertTrue(b.ack(indices.get(2), sum(0, 3)), "the first 3 excerpts were sent");
            clock.advanceMillis(1000);
            writeCycles(b, 19); // 20 files of ~500 kB against a 1.5 MB cap

            assertTrue(cycleFiles().size() < 20, "old files were deleted: " + cycleFiles());
            int first = assertSuffixInOrder(b);
            assertTrue(first > PER_CYCLE, "at least the first file is gone: first left " + first);
            assertEquals(0, first % PER_CYCLE, "whole files go: the oldest left starts a file");
            int n = indices.size();
            assertEquals(sum(3, first), b.diskFullSamplesTotal(), "the unsent samples of deleted files, once");
            assertEquals(sum(first, n), b.pendingSamples());
            // accounting adds up: everything buffered is sent, dropped or pending
            assertEquals(b.bufferedSamplesTotal(), sum(0, 3) + b.diskFullSamplesTotal() + b.pendingSamples());
            assertEquals(sum(0, n), b.bufferedSamplesTotal());
        }
    }

    @Test
    void aTrimOfSentFilesCountsNothingAndKeepsTheGeneration() throws IOException {
        try (DiskBuffer b = open(CAP)) {
            for (int k = 0; k < 3 * PER_CYCLE; k++) {
                append(b);
                if (k % PER_CYCLE == PER_CYCLE - 1) {
                    clock.advanceMillis(1000);
                }
            }
            b.ack(indices.get(indices.size() - 1), sum(0, indices.size()));
            writeCycles(b, 3);
            assertTrue(b.diskBytes() <= CAP + newestFileBytes());
            int first = assertSuffixInOrder(b);
            assertTrue(first > 3 * PER_CYCLE, "sent files were trimmed too");
            // the later files were not acknowledged: only they are counted
            assertEquals(sum(3 * PER_CYCLE, first), b.diskFullSamplesTotal());
            assertEquals(b.bufferedSamplesTotal(), sum(0, 15) + b.diskFullSamplesTotal() + b.pendingSamples());
        }
    }

    @Test
    void aReaderReCreatedAfterATrimStartsAtTheOldestFileLeft() throws IOException {
        try (DiskBuffer b = open(CAP)) {
            for (int k = 0; k < PER_CYCLE; k++) {
                append(b);
            }
            clock.advanceMillis(1000);
            long generation = b.trimGeneration();
            BufferReader old = b.reader();
            BufferReader.Record r = new BufferReader.Record();
            assertTrue(old.next(r));
            assertEquals(0, id(r), "the old reader is in the first file");
            writeCycles(b, 6);
            assertTrue(b.trimGeneration() > generation, "a trim that dropped unsent data moves the generation");
            old.close();
            int first = assertSuffixInOrder(b); // a new reader: moveToIndex(ack) fails, toStart()
            assertTrue(first >= PER_CYCLE);
            assertEquals(0, first % PER_CYCLE);
            assertFalse(
                    b.ack(indices.get(0), samples.get(0), generation),
                    "a batch from before the trim is not acknowledged");
            assertFalse(b.ack(indices.get(0), samples.get(0)), "the acknowledged position never moves back");
            assertEquals(sum(first, indices.size()), b.pendingSamples());
        }
    }

    @Test
    void reopeningAfterATrimResumesAtTheOldestFileLeftWithoutCountingAgain() throws IOException {
        int first;
        try (DiskBuffer b = open(CAP)) {
            clock.advanceMillis(0);
            writeCycles(b, 8);
            first = assertSuffixInOrder(b);
            assertTrue(first > 0);
            assertEquals(sum(0, first), b.diskFullSamplesTotal());
        }
        assertEquals(indices.get(first - 1), new AckFile(dir).read(), "the ack moved to the end of the deleted data");
        try (DiskBuffer b = open(CAP)) {
            assertEquals(0, b.diskFullSamplesTotal(), "nothing is counted again");
            assertEquals(sum(first, indices.size()), b.pendingSamples());
            assertEquals(first, assertSuffixInOrder(b));
            writeCycles(b, 4);
            int firstNow = assertSuffixInOrder(b);
            assertTrue(firstNow > first, "the cap keeps working after a restart");
            assertEquals(sum(first, firstNow), b.diskFullSamplesTotal());
            assertEquals(sum(firstNow, indices.size()), b.pendingSamples());
        }
    }

    @Test
    void noCapMeansNothingIsDeleted() throws IOException {
        try (DiskBuffer b = DiskBuffer.open(dir, 0, TestRollCycles.TEST_SECONDLY, clock)) {
            for (int c = 0; c < 4; c++) {
                append(b);
                clock.advanceMillis(1000);
                assertEquals(0, b.enforceCap());
            }
            assertEquals(4, cycleFiles().size());
            assertEquals(0, assertSuffixInOrder(b));
        }
    }

    /**
     * Files whose every excerpt was delivered are deleted by the housekeeping, cap or no cap; the
     * file holding the acknowledged position and everything after it stay and are read in order.
     */
    @Test
    void deliveredFilesAreDeletedEvenWithoutACap() throws IOException {
        try (DiskBuffer b = DiskBuffer.open(dir, 0, TestRollCycles.TEST_SECONDLY, clock)) {
            for (int c = 0; c < 5; c++) {
                for (int k = 0; k < 2; k++) {
                    append(b);
                }
                // a second with no write, so no file, right before the third file (cycles have gaps)
                clock.advanceMillis(c == 1 ? 2000 : 1000);
            }
            assertEquals(5, cycleFiles().size());
            assertEquals(0, b.enforceCap(), "nothing delivered, nothing deleted");
            int acked = 5; // the first excerpt of the third file
            assertTrue(b.ack(indices.get(acked), sum(0, acked + 1)));
            assertEquals(2, b.enforceCap(), "the two files before the acknowledged position's file");
            assertEquals(3, cycleFiles().size());
            assertEquals(sum(acked + 1, indices.size()), b.pendingSamples(), "pending is unchanged by the deletion");
            assertEquals(0, b.diskFullSamplesTotal(), "delivered data is not counted as dropped");
            try (BufferReader r = b.reader()) {
                BufferReader.Record rec = new BufferReader.Record();
                for (int i = acked + 1; i < indices.size(); i++) {
                    assertTrue(r.next(rec));
                    assertEquals(i, id(rec), "the rest is read in order");
                }
                assertFalse(r.next(rec));
            }
            assertTrue(b.ack(indices.get(indices.size() - 1), sum(acked + 1, indices.size())));
            assertEquals(2, b.enforceCap(), "all but the newest file");
            assertEquals(1, cycleFiles().size(), "the newest file, still appended to, stays");
        }
        try (DiskBuffer b = DiskBuffer.open(dir, 0, TestRollCycles.TEST_SECONDLY, clock)) {
            assertEquals(0, b.pendingSamples(), "a restart after the deletion finds nothing pending");
        }
    }

    /** Files moved aside as damaged count in the disk use and are the first to go, before any sendable data. */
    @Test
    void filesMovedAsideAsDamagedAreDeletedFirst() throws IOException {
        try (DiskBuffer b = open(CAP)) {
            for (int i = 0; i < 3; i++) {
                append(b);
            }
        }
        Path queue = dir.resolve("queue");
        Path older = queue.resolve("20260301-0959.cq4.corrupt-20260301T095900Z");
        Path newer = dir.resolve("queue.corrupt-20260301T095930Z");
        Files.write(older, randomBytes(1_200_000));
        Files.createDirectories(newer);
        Files.write(newer.resolve("20260301-0958.cq4"), randomBytes(1_200_000));
        try (DiskBuffer b = open(CAP)) { // open enforces the cap once
            assertFalse(Files.exists(older), "the older moved-aside file went first");
            assertFalse(Files.exists(newer), "then the moved-aside directory, until under the cap");
            assertEquals(sum(0, 3), b.pendingSamples(), "no sendable data was dropped");
            assertEquals(0, b.diskFullSamplesTotal());
            assertTrue(b.diskBytes() <= CAP, "under the cap: " + b.diskBytes());
        }
    }

    private byte[] randomBytes(int n) {
        byte[] p = new byte[n];
        random.nextBytes(p);
        return p;
    }
}
