package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.forward.send.Backoff;
import dev.edgepush.forward.send.PushOutcome;
import dev.edgepush.forward.send.SendCounters;
import dev.edgepush.forward.send.Sender;
import dev.edgepush.proto.WriteRequestEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
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
 * Format 3 (zstd of the split request, {@link RecordFormat}), written here from the first excerpt on
 * ({@link DiskBuffer#denseAfter}): what is appended is read back byte
 * for byte; a damaged format 3 excerpt loses only itself and is counted; a buffer of format 1 and 2
 * excerpts written before an upgrade is read, and sent, with the format 3 excerpts after it.
 */
class DiskBufferFormat3Test {
    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(3);

    /** A scrape-like request: {@code series} gauges of three decimals, one timestamp. */
    private byte[] request(int id, int series) {
        WriteRequestEncoder e = new WriteRequestEncoder();
        e.addSeries(new String[] {"__name__", "id", "job", "t"}, 2, id, 1_700_000_000_000L + id);
        for (int i = 0; i < series; i++) {
            double v = Math.round(random.nextDouble(0, 100) * 1000) / 1000.0;
            e.addSeries(
                    new String[] {"__name__", "sensor_synthetic_value", "idx", Integer.toString(i), "job", "t"},
                    3,
                    v,
                    1_700_000_000_000L + id);
        }
        return e.toByteArray();
    }

    /** The buffer, writing format 3 from the first excerpt (not only once the sender is behind). */
    private DiskBuffer open() throws IOException {
        DiskBuffer b = DiskBuffer.open(dir);
        b.denseAfter(0, () -> 0);
        return b;
    }

    private SingleChronicleQueue rawQueue() {
        return SingleChronicleQueueBuilder.binary(dir.resolve("queue"))
                .rollCycle(LegacyRollCycles.MINUTELY)
                .blockSize(1 << 20)
                .build();
    }

    /** The format versions of the excerpts in the queue, in order. */
    private List<Byte> versions() {
        List<Byte> versions = new ArrayList<>();
        try (SingleChronicleQueue q = rawQueue();
                ExcerptTailer t = q.createTailer()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        return versions;
                    }
                    versions.add(dc.wire().bytes().readByte());
                }
            }
        }
    }

    /** Appends an excerpt as the writer of format {@code version} (1 or 2) did: Snappy, no or a sequence number. */
    private void appendOld(byte version, byte[] request, int samples, long seq) throws IOException {
        byte[] block = Snappy.rawCompress(request, request.length);
        CRC32C crc = new CRC32C();
        crc.update(block);
        try (SingleChronicleQueue q = rawQueue();
                ExcerptAppender appender = q.createAppender();
                DocumentContext dc = appender.writingDocument()) {
            Bytes<?> b = dc.wire().bytes();
            if (version == RecordFormat.VERSION_2) {
                RecordFormat.write(
                        b, version, samples, 7, request.length, (int) crc.getValue(), block, block.length, seq);
            } else {
                b.writeByte(RecordFormat.VERSION_1);
                b.writeInt(samples);
                b.writeLong(7);
                b.writeInt(request.length);
                b.writeInt((int) crc.getValue());
                b.writeInt(block.length);
                b.write(block);
            }
        }
    }

    private static List<byte[]> readAll(DiskBuffer buffer) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (BufferReader reader = buffer.reader()) {
            BufferReader.Record r = new BufferReader.Record();
            while (reader.next(r)) {
                byte[] b = new byte[r.uncompressedLength];
                assertEquals(b.length, r.decompressTo(b, 0));
                out.add(b);
            }
        }
        return out;
    }

    @Test
    void aRequestComesBackByteForByteFromAFormat3Excerpt() throws IOException {
        byte[] one = request(1, 1000);
        byte[] two = request(2, 10);
        byte[] tiny = {1, 2, 3}; // not a WriteRequest: stored all the same
        byte[] empty = {};
        try (DiskBuffer buffer = open()) {
            assertTrue(buffer.append(one, one.length, 1001, 1) >= 0);
            assertTrue(buffer.append(two, two.length, 11, 2) >= 0);
            assertTrue(buffer.append(tiny, tiny.length, 1, 3) >= 0);
            assertTrue(buffer.append(empty, 0, 0, 4) >= 0);
            List<byte[]> back = readAll(buffer);
            assertEquals(4, back.size());
            assertArrayEquals(one, back.get(0));
            assertArrayEquals(two, back.get(1));
            assertArrayEquals(tiny, back.get(2));
            assertArrayEquals(empty, back.get(3));
            assertTrue(buffer.diskBytes() > 0);
        }
        assertEquals(List.of((byte) 3, (byte) 3, (byte) 3, (byte) 3), versions());
    }

    @Test
    void aFormat3ExcerptIsSmallerThanTheSnappyBlockOfTheSameRequest() throws IOException {
        byte[] r = request(1, 1000);
        RecordFormat.Compressor c = new RecordFormat.Compressor();
        c.compress(r, 0, r.length);
        assertEquals(RecordFormat.VERSION, c.version());
        int snappy = Snappy.rawCompress(r, r.length).length;
        assertTrue(c.length() < snappy / 2, "zstd " + c.length() + " vs Snappy " + snappy);
        assertTrue(c.length() < 7 * 1000, c.length() + " bytes for 1,001 samples");
    }

    /** Rewrites the payload of the {@code n}th excerpt with {@code damage} and returns its sample count. */
    private void damage(int n, java.util.function.Consumer<byte[]> damage, boolean fixCrc) {
        try (SingleChronicleQueue q = rawQueue();
                ExcerptTailer t = q.createTailer()) {
            for (int i = 0; i <= n; i++) {
                try (DocumentContext dc = t.readingDocument()) {
                    assertTrue(dc.isPresent());
                    if (i < n) {
                        continue;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    long start = b.readPosition();
                    int len = b.readInt(start + 21);
                    byte[] payload = new byte[len];
                    for (int k = 0; k < len; k++) {
                        payload[k] = b.readByte(start + RecordFormat.HEADER_BYTES + k);
                    }
                    damage.accept(payload);
                    for (int k = 0; k < len; k++) {
                        b.writeByte(start + RecordFormat.HEADER_BYTES + k, payload[k]);
                    }
                    if (fixCrc) {
                        CRC32C crc = new CRC32C();
                        crc.update(payload);
                        b.writeInt(start + 17, (int) crc.getValue());
                    }
                }
            }
        }
    }

    @Test
    void aDamagedFormat3ExcerptLosesOnlyItselfAndIsCounted() throws IOException {
        byte[][] requests = new byte[6][];
        try (DiskBuffer buffer = open()) {
            for (int i = 0; i < requests.length; i++) {
                requests[i] = request(i, 50);
                buffer.append(requests[i], requests[i].length, 10 + i, i);
            }
        }
        damage(1, p -> p[p.length / 2] ^= 0x40, false); // a flipped bit: the checksum catches it
        damage(3, p -> p[0] ^= 0x40, true); // checksum right (as if the damage were written so), no zstd frame
        // checksum right, a frame that decodes, but its values column lacks the last value
        byte[] r = request(6, 50);
        byte[] split = new byte[DecimalValues.maxSplitLength(r.length)];
        int n = DecimalValues.split(r, 0, r.length, split);
        byte[] frame = new byte[ZstdExcerpts.maxCompressedLength(n)];
        int f = ZstdExcerpts.compress(split, n - 3, frame); // 3 bytes short: a token's tail at least
        CRC32C crc = new CRC32C();
        crc.update(frame, 0, f);
        try (SingleChronicleQueue q = rawQueue();
                ExcerptAppender appender = q.createAppender();
                DocumentContext dc = appender.writingDocument()) {
            RecordFormat.write(
                    dc.wire().bytes(), RecordFormat.VERSION, 16, 6, r.length, (int) crc.getValue(), frame, f, 6);
        }
        try (DiskBuffer buffer = open()) {
            List<byte[]> back = readAll(buffer);
            assertEquals(4, back.size(), "excerpts 0, 2, 4 and 5");
            assertArrayEquals(requests[0], back.get(0));
            assertArrayEquals(requests[2], back.get(1));
            assertArrayEquals(requests[4], back.get(2));
            assertArrayEquals(requests[5], back.get(3));
            assertEquals(11 + 13 + 16, buffer.corruptSamplesTotal());
            assertEquals(0, buffer.corruptExcerptsTotal(), "counted by their samples: the headers tell them");
        }
    }

    @Test
    void aFormat3HeaderThatLiesAboutTheRequestLengthIsDamage() throws IOException {
        byte[] r = request(1, 20);
        try (DiskBuffer buffer = open()) {
            buffer.append(r, r.length, 21, 1);
            buffer.append(r, r.length, 21, 2);
        }
        try (SingleChronicleQueue q = rawQueue();
                ExcerptTailer t = q.createTailer();
                DocumentContext dc = t.readingDocument()) {
            Bytes<?> b = dc.wire().bytes(); // the header is not checksummed: only the values check it
            b.writeInt(b.readPosition() + 13, r.length - 1);
        }
        try (DiskBuffer buffer = open()) {
            List<byte[]> back = readAll(buffer);
            assertEquals(1, back.size());
            assertArrayEquals(r, back.get(0));
            assertEquals(21, buffer.corruptSamplesTotal());
        }
    }

    @Test
    void aBufferOfFormat1And2ExcerptsIsReadAfterTheUpgradeWithTheNewOnes() throws IOException {
        byte[] v1 = request(1, 5);
        byte[] v2 = request(2, 5);
        byte[] v3 = request(3, 5);
        appendOld(RecordFormat.VERSION_1, v1, 6, -1);
        appendOld(RecordFormat.VERSION_2, v2, 6, 0);
        try (DiskBuffer buffer = open()) {
            buffer.append(v3, v3.length, 6, 3);
            List<byte[]> back = readAll(buffer);
            assertEquals(3, back.size());
            assertArrayEquals(v1, back.get(0));
            assertArrayEquals(v2, back.get(1));
            assertArrayEquals(v3, back.get(2));
            assertEquals(18, buffer.pendingSamples());
        }
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), versions());
    }

    /**
     * Through the sender: the old excerpts go joined as they always did, the format 3 ones in a
     * batch of their own (a batch holds one kind), compressed as one Snappy block; a retried batch
     * is the same bytes, also when read again after a restart.
     */
    @Test
    void theSenderDeliversOldAndNewExcerptsAndResendsTheSameBytes() throws IOException {
        byte[] v1 = request(1, 5);
        byte[] v2 = request(2, 5);
        byte[] a = request(3, 200);
        byte[] b = request(4, 200);
        appendOld(RecordFormat.VERSION_1, v1, 6, -1);
        appendOld(RecordFormat.VERSION_2, v2, 6, 0);
        List<byte[]> bodies = new ArrayList<>();
        List<PushOutcome> script = new ArrayList<>(List.of(
                new PushOutcome.Delivered(204),
                new PushOutcome.Retry(503, Duration.ofMillis(1), "busy"),
                new PushOutcome.Retry(503, Duration.ofMillis(1), "busy")));
        Sender.Transport transport = new Sender.Transport() {
            @Override
            public PushOutcome push(byte[] body, int offset, int length) {
                bodies.add(Arrays.copyOfRange(body, offset, offset + length));
                return script.isEmpty() ? new PushOutcome.Delivered(204) : script.remove(0);
            }

            @Override
            public long lastRequestBytes() {
                return 1;
            }
        };
        long[] now = {1_000_000};
        try (DiskBuffer buffer = open()) {
            buffer.append(a, a.length, 201, 3);
            buffer.append(b, b.length, 201, 4);
            Sender s = sender(buffer, transport, now);
            for (int i = 0; i < 20 && buffer.pendingSamples() > 0 && bodies.size() < 3; i++) {
                now[0] += 1000;
                s.runOnce();
            }
            assertEquals(3, bodies.size(), "the old batch, the new one, its retry");
            assertArrayEquals(concat(v1, v2), Snappy.uncompress(bodies.get(0)));
            assertArrayEquals(concat(a, b), Snappy.uncompress(bodies.get(1)));
            assertArrayEquals(bodies.get(1), bodies.get(2), "a retry is the same bytes");
        }
        try (DiskBuffer buffer = open()) { // a restart before the batch went through
            Sender s = sender(buffer, transport, now);
            for (int i = 0; i < 20 && buffer.pendingSamples() > 0; i++) {
                now[0] += 1000;
                s.runOnce();
            }
            assertEquals(0, buffer.pendingSamples());
            assertArrayEquals(bodies.get(1), bodies.get(3), "read again after a restart: the same bytes");
        }
    }

    private static Sender sender(DiskBuffer buffer, Sender.Transport transport, long[] now) {
        return new Sender(
                buffer,
                transport,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), new SplittableRandom(1)),
                new SendCounters("samples_dropped_total{reason=\"rejected\"}"),
                () -> now[0],
                Duration.ofSeconds(1),
                10_000,
                1 << 20,
                "test");
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] c = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, c, x.length, y.length);
        return c;
    }

    @Test
    void aRequestTooLargeForFormat3IsWrittenAsFormat2() throws IOException {
        // A single series longer than a piece: Snappy, as before (format 3 holds at most a piece).
        String big = "x".repeat(RecordFormat.PIECE_LIMIT_BYTES + 100);
        WriteRequestEncoder e = new WriteRequestEncoder();
        e.addSeries(new String[] {"__name__", "m", "big", big}, 2, 1.5, 1);
        byte[] r = e.toByteArray();
        try (DiskBuffer buffer = open()) {
            assertTrue(buffer.append(r, r.length, 1, 1) >= 0);
            List<byte[]> back = readAll(buffer);
            assertEquals(1, back.size());
            assertArrayEquals(r, back.get(0));
        }
        assertEquals(List.of(RecordFormat.VERSION_2), versions());
        assertFalse(versions().isEmpty());
    }
}
