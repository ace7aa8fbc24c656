package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The split of fresh-first delivery in the buffer: ack file, readers, acks, restart, merge, trim. */
class DiskBufferLanesTest {
    static final int PER_CYCLE = 5;
    static final int PAYLOAD = 100_000; // random bytes: Snappy cannot shrink them

    @TempDir
    Path dir;

    final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T10:00:00Z"));
    final SplittableRandom random = new SplittableRandom(7);
    final List<Long> indices = new ArrayList<>();
    final List<Integer> samples = new ArrayList<>();

    private DiskBuffer open(long cap) throws IOException {
        return DiskBuffer.open(dir, cap, TestRollCycles.TEST_SECONDLY, clock);
    }

    private void append(DiskBuffer b) throws IOException {
        int id = indices.size();
        byte[] p = new byte[PAYLOAD];
        random.nextBytes(p);
        ByteBuffer.wrap(p).putInt(id);
        int n = id % 7 + 1;
        indices.add(b.append(p, p.length, n, id));
        samples.add(n);
    }

    /** Appends {@code cycles} files of PER_CYCLE excerpts. */
    private void appendCycles(DiskBuffer b, int cycles) throws IOException {
        for (int c = 0; c < cycles; c++) {
            for (int k = 0; k < PER_CYCLE; k++) {
                append(b);
            }
            clock.advanceMillis(1000);
        }
    }

    private static List<Integer> ids(BufferReader reader) throws IOException {
        List<Integer> ids = new ArrayList<>();
        BufferReader.Record r = new BufferReader.Record();
        while (reader.next(r)) {
            byte[] out = new byte[r.uncompressedLength];
            r.decompressTo(out, 0);
            ids.add(ByteBuffer.wrap(out).getInt());
        }
        reader.close();
        return ids;
    }

    private long sum(int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) {
            s += samples.get(i);
        }
        return s;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void withoutASplitTheAckFileIsVersionOneAsBefore() throws IOException {
        AckFile f = new AckFile(dir);
        f.write(0x1234L);
        byte[] bytes = Files.readAllBytes(dir.resolve(AckFile.NAME));
        ByteBuffer expected = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        expected.putInt(0, 0x4B415045).putLong(4, 0x1234L);
        CRC32 crc = new CRC32();
        crc.update(expected.array(), 0, 12);
        expected.putInt(12, (int) crc.getValue());
        assertArrayEquals(expected.array(), bytes, "the 16-byte EPAK file of a single lane");
        assertEquals(AckState.single(0x1234L), f.readState());
        f.write(new AckState(5, 9, 11));
        assertEquals(32, Files.size(dir.resolve(AckFile.NAME)));
        assertEquals(new AckState(5, 9, 11), f.readState());
        assertEquals(5, f.read(), "read() gives A");
        f.write(AckState.single(11));
        assertEquals(16, Files.size(dir.resolve(AckFile.NAME)), "a merge writes version 1 again");
    }

    @Test
    void aDamagedVersionTwoFileIsCorrupt() throws IOException {
        AckFile f = new AckFile(dir);
        f.write(new AckState(5, 9, 11));
        byte[] bytes = Files.readAllBytes(dir.resolve(AckFile.NAME));
        bytes[14] ^= 1;
        Files.write(dir.resolve(AckFile.NAME), bytes);
        try {
            f.readState();
            throw new AssertionError("a bad CRC must not read");
        } catch (AckFile.CorruptAckException expected) {
            // re-send, not loss
        }
    }

    @Test
    void lanesReadTheirRangesAckDurablyResumeAfterReopenAndMerge() throws IOException {
        try (DiskBuffer b = open(0)) {
            appendCycles(b, 2); // ids 0..9
            assertTrue(b.ack(indices.get(1), sum(0, 2)));
            BufferLanes lanes = b.lanes();
            assertEquals(-1, lanes.split());
            assertEquals(indices.get(9), lanes.newestIndex());
            assertTrue(lanes.start(indices.get(7), b.trimGeneration()));
            assertFalse(lanes.start(indices.get(8), b.trimGeneration()), "no nested split");
            assertEquals(indices.get(7) - 1, lanes.liveAcked());
            BufferReader backfill = lanes.backfillReader();
            assertEquals(range(2, 7), ids(backfill));
            assertTrue(backfill.reachedLimit());
            appendCycles(b, 1); // 10..14
            assertEquals(range(7, 15), ids(lanes.liveReader()));
            assertTrue(b.ack(indices.get(11), sum(7, 12)), "the live lane acknowledges up to 11");
            assertTrue(b.ack(indices.get(3), sum(2, 4)), "the backfill lane acknowledges up to 3");
            assertFalse(b.ack(indices.get(10), 1), "never back in the live lane");
            assertEquals(sum(4, 7) + sum(12, 15), b.pendingSamples());
            assertEquals(List.of(4, 5, 6, 12, 13, 14), ids(b.reader()), "pending skips the live lane's acked");
        }
        try (DiskBuffer b = open(0)) {
            BufferLanes lanes = b.lanes();
            assertEquals(indices.get(7), lanes.split(), "the split survives a restart");
            assertEquals(indices.get(11), lanes.liveAcked());
            assertEquals(sum(4, 7) + sum(12, 15), b.pendingSamples(), "counted at open without the live lane's");
            assertEquals(range(4, 7), ids(lanes.backfillReader()));
            assertEquals(range(12, 15), ids(lanes.liveReader()));
            assertTrue(b.ack(indices.get(6), sum(4, 7)));
            assertTrue(lanes.merge(b.trimGeneration()));
            assertEquals(-1, lanes.split());
            assertEquals(16, Files.size(dir.resolve(AckFile.NAME)));
            assertEquals(range(12, 15), ids(b.reader()), "one lane from L");
            assertEquals(sum(12, 15), b.pendingSamples());
        }
        try (DiskBuffer b = open(0)) {
            assertEquals(range(12, 15), ids(b.reader()));
        }
    }

    @Test
    void theLiveLaneStartsWithWhatWasWrittenSinceTheGivenTimeBoundedAndAfterTheAck() throws IOException {
        try (DiskBuffer b = open(0)) {
            assertEquals(-1, b.lanes().liveStart(0, 100), "nothing written");
            appendCycles(b, 2); // ids 0..9, stamped with their id
            assertEquals(indices.get(7), b.lanes().liveStart(7, 1000), "stamped 7 or later");
            assertEquals(indices.get(4), b.lanes().liveStart(4, 1000), "across a file boundary");
            assertEquals(indices.get(9), b.lanes().liveStart(100, 1000), "at least the newest");
            assertEquals(indices.get(8), b.lanes().liveStart(0, samples.get(9) + samples.get(8)), "a batch at most");
            assertTrue(b.ack(indices.get(5), sum(0, 6)));
            assertEquals(indices.get(6), b.lanes().liveStart(0, 1000), "never an acknowledged excerpt");
            assertTrue(b.ack(indices.get(9), sum(6, 10)));
            assertEquals(-1, b.lanes().liveStart(0, 1000), "everything acknowledged");
        }
    }

    @Test
    void aLiveLaneStartingAtTheFirstExcerptOfAFileReadsIt() throws IOException {
        try (DiskBuffer b = open(0)) {
            appendCycles(b, 2);
            assertTrue(b.lanes().start(indices.get(5), b.trimGeneration()));
            assertEquals(range(5, 10), ids(b.lanes().liveReader()));
            assertEquals(range(0, 5), ids(b.lanes().backfillReader()));
        }
    }

    @Test
    void aTrimInTheBackfillCountsItsUnsentAndOneReachingTheLiveLaneSkipsWhatLiveDelivered() throws IOException {
        long cap = 1_500_000; // about 3 files of 5 excerpts of 100 kB
        try (DiskBuffer b = open(cap)) {
            appendCycles(b, 4); // ids 0..19 in 4 files; no housekeeping yet
            assertTrue(b.lanes().start(indices.get(10), b.trimGeneration()));
            assertTrue(b.ack(indices.get(12), sum(10, 13)), "live delivered 10..12");
            long generation = b.trimGeneration();
            b.enforceCap(); // over the cap: drops files 0 and 1 (the backfill's)
            assertTrue(b.trimGeneration() > generation);
            assertEquals(sum(0, 10), b.diskFullSamplesTotal(), "backfill files: all unsent, counted");
            assertEquals(indices.get(10), b.lanes().split(), "the live lane is untouched");
            assertEquals(List.of(), ids(b.lanes().backfillReader()), "the backfill is gone: the sender merges");
            appendCycles(b, 2); // 20..29
            b.enforceCap(); // drops files 2 and more: into the live lane
            assertEquals(-1, b.lanes().split(), "a trim reaching the live lane ends the split");
            List<Integer> left = ids(b.reader());
            int first = left.get(0);
            assertTrue(first >= 15, "file 2 was dropped: " + left);
            assertEquals(range(first, 30), left);
            assertEquals(
                    sum(0, 10) + sum(13, first),
                    b.diskFullSamplesTotal(),
                    "what live delivered (10..12) is not counted as dropped");
            assertEquals(sum(first, 30), b.pendingSamples());
            assertEquals(b.bufferedSamplesTotal(), sum(10, 13) + b.diskFullSamplesTotal() + b.pendingSamples());
        }
    }

    @Test
    void theLowestUndeliveredNumberFollowsTheSingleLaneTheBackfillAndATrim() throws IOException {
        long cap = 1_500_000; // about 3 files of 5 excerpts of 100 kB
        try (DiskBuffer b = open(cap)) {
            assertEquals(0, b.undeliveredFromSeq(), "nothing written: the next number");
            appendCycles(b, 4); // ids 0..19 (= their numbers) in 4 files
            assertEquals(0, b.undeliveredFromSeq());
            assertTrue(b.ack(indices.get(2), sum(0, 3)));
            assertEquals(3, b.undeliveredFromSeq(), "single lane: its next excerpt");
            assertTrue(b.lanes().start(indices.get(15), b.trimGeneration()));
            assertTrue(b.ack(indices.get(17), sum(15, 18)), "live delivered 15..17 first");
            assertEquals(3, b.undeliveredFromSeq(), "split: the backfill lane's next, below what live sent");
            assertTrue(b.ack(indices.get(6), sum(3, 7)));
            assertEquals(7, b.undeliveredFromSeq());
            b.enforceCap(); // over the cap: deletes files 0 and 1, so 7..9 unsent (disk_full)
            assertEquals(sum(7, 10), b.diskFullSamplesTotal());
            assertEquals(10, b.undeliveredFromSeq(), "past the excerpts the trim deleted");
            assertTrue(b.ack(indices.get(14), sum(10, 15)));
            assertEquals(18, b.undeliveredFromSeq(), "the backfill is done: past live's delivered 15..17");
            assertTrue(b.lanes().merge(b.trimGeneration()));
            assertEquals(18, b.undeliveredFromSeq());
            assertTrue(b.ack(indices.get(19), sum(18, 20)));
            assertEquals(20, b.undeliveredFromSeq(), "everything delivered: the next number");
        }
    }
}
