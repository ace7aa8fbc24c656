package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Excerpt sequence numbers: contiguous, kept across restarts and trims, a new epoch when the buffer is wiped. */
class BufferEpochTest {
    @TempDir
    Path dir;

    final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T10:00:00Z"));

    private DiskBuffer open() throws IOException {
        return DiskBuffer.open(dir, 0, TestRollCycles.TEST_SECONDLY, clock);
    }

    private static void append(DiskBuffer b, int samples) throws IOException {
        byte[] p = ("x" + samples).getBytes();
        assertTrue(b.append(p, p.length, samples, 1) > 0);
    }

    private static List<Long> seqs(DiskBuffer b) {
        List<Long> out = new ArrayList<>();
        try (BufferReader r = b.reader()) {
            BufferReader.Record rec = new BufferReader.Record();
            while (r.next(rec)) {
                out.add(rec.seq);
            }
        }
        return out;
    }

    @Test
    void numbersAreContiguousAndContinueAfterARestartAndAfterDeliveredFilesAreDeleted() throws IOException {
        String epoch;
        try (DiskBuffer b = open()) {
            epoch = b.epoch();
            assertTrue(epoch.matches("[0-9a-f]{16}"), epoch);
            assertEquals(0, b.nextSeq());
            for (int i = 0; i < 3; i++) {
                append(b, 5);
                clock.advanceMillis(1500); // a new cycle file per excerpt
            }
            assertEquals(List.of(0L, 1L, 2L), seqs(b));
            assertEquals(3, b.nextSeq());
        }
        try (DiskBuffer b = open()) {
            assertEquals(epoch, b.epoch(), "a restart keeps the epoch");
            assertEquals(3, b.nextSeq(), "and continues the numbering");
            long last = -1;
            try (BufferReader r = b.reader()) {
                BufferReader.Record rec = new BufferReader.Record();
                while (r.next(rec)) {
                    last = rec.index;
                }
            }
            assertTrue(b.ack(last, 15));
            append(b, 5);
            clock.advanceMillis(1500);
            append(b, 5);
            assertTrue(b.enforceCap() > 0, "delivered files deleted");
            assertEquals(List.of(3L, 4L), seqs(b));
        }
        try (DiskBuffer b = open()) {
            assertEquals(epoch, b.epoch());
            assertEquals(5, b.nextSeq());
        }
    }

    @Test
    void aFailedAppendUsesUpNoNumber() throws IOException {
        try (DiskBuffer b = open()) {
            append(b, 1);
            b.injectAppendFailure(new IOException("No space left on device"));
            byte[] p = {1};
            assertEquals(-1, b.append(p, 1, 1, 1));
            b.injectAppendFailure(null);
            append(b, 1);
            assertEquals(List.of(0L, 1L), seqs(b));
        }
    }

    @Test
    void aWipedBufferStartsANewEpochFromZero() throws IOException {
        String first;
        try (DiskBuffer b = open()) {
            first = b.epoch();
            append(b, 1);
            append(b, 1);
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder())
                    .filter(p -> !p.equals(dir))
                    .forEach(p -> p.toFile().delete());
        }
        try (DiskBuffer b = open()) {
            assertNotEquals(first, b.epoch());
            assertEquals(0, b.nextSeq());
            append(b, 1);
            assertEquals(List.of(0L), seqs(b));
        }
    }

    @Test
    void aLostEpochFileStartsANewEpochEvenWithExcerptsLeft() throws IOException {
        String first;
        try (DiskBuffer b = open()) {
            first = b.epoch();
            append(b, 1);
        }
        Files.delete(dir.resolve(BufferEpoch.NAME));
        try (DiskBuffer b = open()) {
            assertNotEquals(first, b.epoch());
            assertEquals(0, b.nextSeq());
        }
    }
}
