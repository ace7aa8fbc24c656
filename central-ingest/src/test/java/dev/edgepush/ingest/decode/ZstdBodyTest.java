package dev.edgepush.ingest.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.edgepush.forward.send.ZstdSupport;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code Content-Encoding: zstd} in {@link BodyDecompressor}: decoded within {@code
 * -maxDecompressedBytes} whatever the frame says, hostile frames refused without holding more
 * than the limit ({@link ZstdBombs}).
 */
class ZstdBodyTest {
    private static final int MAX = 8 << 20;
    private final List<String> seen = new ArrayList<>();
    private final BodyDecompressor d = new BodyDecompressor(MAX, true, (enc, bytes) -> seen.add(enc + ":" + bytes));

    @BeforeAll
    static void zstdLoads() {
        assertTrue(ZstdSupport.available("test"), "zstd-jni loads on the build machine");
    }

    private PayloadException refused(byte[] body) {
        return assertThrows(PayloadException.class, () -> d.decompress(body, "zstd", BodyDecompressor.Default.SNAPPY));
    }

    @Test
    void aZstdBodyIsDecodedAndCounted() throws Exception {
        byte[] plain = new byte[300_000];
        for (int i = 0; i < plain.length; i++) {
            plain[i] = (byte) (i * 31 % 251);
        }
        byte[] frame = Zstd.compress(plain, ZstdSupport.LEVEL);
        assertArrayEquals(plain, d.decompress(frame, "zstd", BodyDecompressor.Default.SNAPPY));
        assertArrayEquals(plain, d.decompress(frame, " ZSTD ", BodyDecompressor.Default.SNAPPY));
        assertEquals(List.of("zstd:" + frame.length, "zstd:" + frame.length), seen);
        assertEquals("zstd, snappy", d.acceptedEncodings());
    }

    @Test
    void aFrameDeclaringMoreThanTheLimitIsRefusedBeforeDecoding() {
        byte[] body = Zstd.compress(new byte[MAX + 1], ZstdSupport.LEVEL);
        PayloadException e = refused(body);
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("zstd body declares " + (MAX + 1) + " bytes"), e.getMessage());
        byte[] bomb = ZstdBombs.declaring4GiB();
        assertEquals(1L << 32, Zstd.getFrameContentSize(bomb));
        e = refused(bomb);
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("declares 4294967296 bytes"), e.getMessage());
        assertEquals(List.of(), seen);
    }

    @Test
    void aFrameWithoutItsSizeIsStoppedAtTheLimitHoldingNoMoreThanIt() {
        byte[] bomb = ZstdBombs.gibibyteWithoutSize();
        assertTrue(bomb.length < 40_000);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        PayloadException e = refused(bomb);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("zstd body inflates to more than"), e.getMessage());
        assertTrue(allocated < MAX + (16 << 20), "held " + allocated + " bytes of heap for a 1 GiB bomb, limit " + MAX);
    }

    @Test
    void aSecondFrameIsBoundedToo() {
        byte[] small = Zstd.compress(new byte[10], ZstdSupport.LEVEL);
        byte[] bomb = ZstdBombs.rleFrame(ZstdBombs.noSizeHeader(17), 100); // 12.5 MiB
        byte[] body = new byte[small.length + bomb.length];
        System.arraycopy(small, 0, body, 0, small.length);
        System.arraycopy(bomb, 0, body, small.length, bomb.length);
        assertEquals(413, refused(body).status());
    }

    @Test
    void aFrameAskingForAHugeWindowIsRefused() {
        // 2 GiB window, no content size: zstd would allocate the window before the first byte out.
        PayloadException e = refused(ZstdBombs.hugeWindow());
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("not valid zstd"), e.getMessage());
        // What edge-agent's level needs at most is taken.
        byte[] plain = new byte[MAX];
        new java.util.SplittableRandom(1).nextBytes(plain);
        byte[] frame = Zstd.compress(plain, ZstdSupport.LEVEL);
        assertEquals(MAX, assertDoesNotThrow(frame).length);
    }

    private byte[] assertDoesNotThrow(byte[] frame) {
        try {
            return d.decompress(frame, "zstd", BodyDecompressor.Default.SNAPPY);
        } catch (PayloadException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    @Test
    void garbageTruncatedAndEmptyBodiesAre400() {
        assertEquals(400, refused(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).status());
        assertEquals(400, refused(new byte[0]).status());
        byte[] frame = Zstd.compress(new byte[1000], ZstdSupport.LEVEL);
        assertEquals(
                400, refused(java.util.Arrays.copyOf(frame, frame.length - 2)).status());
        byte[] trailing = java.util.Arrays.copyOf(frame, frame.length + 4);
        assertEquals(400, refused(trailing).status());
        assertEquals(List.of(), seen);
    }

    @Test
    void withoutZstdItIs415AndNotOffered() {
        BodyDecompressor off = new BodyDecompressor(MAX, false, (enc, bytes) -> {});
        PayloadException e = assertThrows(
                PayloadException.class,
                () -> off.decompress(Zstd.compress(new byte[10], 3), "zstd", BodyDecompressor.Default.SNAPPY));
        assertEquals(415, e.status());
        assertEquals("snappy", off.acceptedEncodings());
    }
}
