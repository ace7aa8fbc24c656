package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.proto.WriteRequestEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's format follows the sender ({@link ExcerptWriter#dense}): format 2 while every
 * pending sample is younger than {@link ExcerptWriter#DENSE_AFTER_MS}, format 3 once one is older
 * (the remote is down), format 2 again once the backlog is sent; a buffer reopened with a backlog
 * writes format 3. Whatever the format, what is read is what was appended.
 */
class DiskBufferDenseSwitchTest {
    @TempDir
    Path dir;

    long now = 1_000_000;

    private static byte[] request(int id) {
        WriteRequestEncoder e = new WriteRequestEncoder();
        for (int i = 0; i < 20; i++) {
            e.addSeries(new String[] {"__name__", "m", "i", Integer.toString(i)}, 2, id + i / 8.0, id);
        }
        return e.toByteArray();
    }

    /** Appends request {@code id} (20 samples) and returns the format it was written in. */
    private byte append(DiskBuffer b, int id, List<byte[]> appended) throws IOException {
        byte[] r = request(id);
        appended.add(r);
        assertTrue(b.append(r, r.length, 20, id) >= 0);
        try (BufferReader reader = b.reader()) {
            BufferReader.Record rec = new BufferReader.Record();
            byte version = -1;
            while (reader.next(rec)) {
                version = rec.version;
            }
            return version;
        }
    }

    private static void ackAll(DiskBuffer b) throws IOException {
        try (BufferReader reader = b.reader()) {
            BufferReader.Record rec = new BufferReader.Record();
            long last = -1;
            long samples = 0;
            while (reader.next(rec)) {
                last = rec.index;
                samples += rec.sampleCount;
            }
            if (last >= 0) {
                assertTrue(b.ack(last, samples));
            }
        }
    }

    @Test
    void format2WhileTheSenderKeepsUpFormat3WhileItIsBehind() throws IOException {
        List<byte[]> appended = new ArrayList<>();
        List<Byte> versions = new ArrayList<>();
        try (DiskBuffer b = DiskBuffer.open(dir)) {
            b.denseAfter(ExcerptWriter.DENSE_AFTER_MS, () -> now);
            for (int s = 0; s < 10; s++) { // keeping up: each scrape acknowledged within the second
                versions.add(append(b, s, appended));
                now += 1000;
                ackAll(b);
            }
            for (int s = 10; s < 20; s++) { // the remote is down: nothing acknowledged
                versions.add(append(b, s, appended));
                now += 1000;
            }
            ackAll(b); // the backlog is sent
            for (int s = 20; s < 23; s++) {
                versions.add(append(b, s, appended));
                now += 1000;
                ackAll(b);
            }
        }
        List<Byte> expected = new ArrayList<>();
        for (int s = 0; s < 23; s++) {
            // from the 5th scrape of the outage on, a sample appended over 3 s before is pending
            expected.add(s >= 14 && s < 20 ? RecordFormat.VERSION : RecordFormat.VERSION_2);
        }
        assertEquals(expected, versions);
    }

    @Test
    void withDenseWritingOffABacklogStaysInFormat2() throws IOException {
        List<byte[]> appended = new ArrayList<>();
        try (DiskBuffer b = DiskBuffer.open(dir)) {
            assertEquals(RecordFormat.VERSION_2, append(b, 1, appended));
        }
        try (DiskBuffer b = DiskBuffer.open(dir)) {
            b.writeDenseWhenBehind(false); // central-ingest's WAL
            for (int s = 2; s < 8; s++) {
                assertEquals(RecordFormat.VERSION_2, append(b, s, appended), "scrape " + s + ", nothing acknowledged");
            }
            b.writeDenseWhenBehind(true);
            assertEquals(RecordFormat.VERSION, append(b, 8, appended), "back on: the backlog is pending");
        }
    }

    @Test
    void aBufferReopenedWithABacklogWritesFormat3AndReadsBackEverything() throws IOException {
        List<byte[]> appended = new ArrayList<>();
        try (DiskBuffer b = DiskBuffer.open(dir)) {
            b.denseAfter(ExcerptWriter.DENSE_AFTER_MS, () -> now);
            assertEquals(RecordFormat.VERSION_2, append(b, 1, appended));
        }
        try (DiskBuffer b = DiskBuffer.open(dir)) {
            b.denseAfter(ExcerptWriter.DENSE_AFTER_MS, () -> now);
            assertEquals(RecordFormat.VERSION, append(b, 2, appended), "20 samples pending from before");
            List<byte[]> back = new ArrayList<>();
            try (BufferReader reader = b.reader()) {
                BufferReader.Record rec = new BufferReader.Record();
                while (reader.next(rec)) {
                    byte[] out = new byte[rec.uncompressedLength];
                    rec.decompressTo(out, 0);
                    back.add(out);
                }
            }
            assertEquals(2, back.size());
            assertArrayEquals(appended.get(0), back.get(0));
            assertArrayEquals(appended.get(1), back.get(1));
        }
    }
}
