package dev.edgepush.testbed.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.compression.Snappy;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RemoteWriteBatchTest {

    @Test
    void writesTheWriteRequestBytesTheSpecDefines() {
        RemoteWriteBatch b = new RemoteWriteBatch();
        b.addSeries(new String[] {"__name__", "m"}, new double[] {1.0}, new long[] {5});
        // WriteRequest.timeseries (0a, len 28 = 2+13 + 2+11) { labels (0a, len 13) { name (0a 08 "__name__") value (12
        // 01 "m") }
        //   samples (12, len 11) { value (09, 1.0 little-endian) timestamp (10 05) } }
        byte[] expected = {
            0x0a,
            28,
            0x0a,
            13,
            0x0a,
            8,
            '_',
            '_',
            'n',
            'a',
            'm',
            'e',
            '_',
            '_',
            0x12,
            1,
            'm',
            0x12,
            11,
            0x09,
            0,
            0,
            0,
            0,
            0,
            0,
            (byte) 0xf0,
            0x3f,
            0x10,
            5
        };
        assertArrayEquals(expected, b.toProtobuf());
        assertEquals(1, b.seriesCount());
        assertEquals(1, b.sampleCount());
    }

    @Test
    void snappyBlockOfSeveralFragmentsDecodesToTheInput() {
        byte[] raw = new byte[200_000]; // three full 64 KiB fragments and a partial one
        Random rnd = new Random(7);
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i % 1000 < 500 ? 'a' + (i % 7) : rnd.nextInt()); // repeats and noise
        }
        byte[] block = RemoteWriteBatch.snappyBlock(raw);
        assertTrue(block.length < raw.length, "compressed " + block.length + " of " + raw.length);
        ByteBuf out = Unpooled.buffer(raw.length);
        try {
            new Snappy().decode(Unpooled.wrappedBuffer(block), out);
            byte[] decoded = new byte[out.readableBytes()];
            out.readBytes(decoded);
            assertArrayEquals(raw, decoded);
        } finally {
            out.release();
        }
    }

    @Test
    void fleetBatchesAreDistinctPerRobotAndBatchAndDecompress() {
        SimulatedFleet fleet = new SimulatedFleet(2, 50, 3, 2, 1_700_000_000_000L);
        assertEquals(150, fleet.samplesPerBatch);
        assertEquals(1_700_000_000_000L + 5_000, fleet.lastTimestampMs);
        byte[] a = fleet.robots.get(0).batches().get(0);
        byte[] b = fleet.robots.get(0).batches().get(1);
        byte[] c = fleet.robots.get(1).batches().get(0);
        assertTrue(!java.util.Arrays.equals(a, b) && !java.util.Arrays.equals(a, c));
        ByteBuf out = Unpooled.buffer();
        try {
            new Snappy().decode(Unpooled.wrappedBuffer(a), out);
            String text = out.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("robot-0") && text.contains("bench_m9") && !text.contains("robot-1"), text);
        } finally {
            out.release();
        }
        assertTrue(fleet.tokensFile().contains("robot robot-1 0 " + SimulatedFleet.sha256("bench-token-robot-1")));
    }
}
