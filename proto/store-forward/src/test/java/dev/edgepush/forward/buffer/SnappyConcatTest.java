package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepush.proto.WriteRequestDecoder;
import dev.edgepush.proto.WriteRequestEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * Joining Snappy raw blocks without decompressing them gives a block that decompresses to the
 * concatenation of their contents (the claim the sender's batching rests on).
 */
class SnappyConcatTest {
    private final SplittableRandom random = new SplittableRandom(20261122);

    /** Joins the blocks as the sender does; returns the joined block. */
    private static byte[] join(List<byte[]> blocks) {
        int room = SnappyConcat.MAX_PREAMBLE_BYTES;
        byte[] dst = new byte[room + blocks.stream().mapToInt(b -> b.length).sum()];
        int end = room;
        int total = 0;
        for (byte[] block : blocks) {
            int n = SnappyConcat.uncompressedLength(block, 0, block.length);
            assertTrue(n >= 0);
            end += SnappyConcat.appendElements(block, 0, block.length, dst, end);
            total += n;
        }
        int start = SnappyConcat.writePreamble(dst, room, total);
        return Arrays.copyOfRange(dst, start, end);
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static void assertJoinDecompressesToConcatenation(List<byte[]> plain) throws IOException {
        List<byte[]> blocks = new ArrayList<>();
        for (byte[] p : plain) {
            blocks.add(Snappy.rawCompress(p, p.length));
        }
        byte[] joined = join(blocks);
        byte[] expected = concat(plain);
        assertTrue(Snappy.isValidCompressedBuffer(joined), "a valid Snappy block");
        assertEquals(expected.length, Snappy.uncompressedLength(joined));
        assertArrayEquals(expected, Snappy.uncompress(joined));
    }

    /** Mostly repetitive bytes (Snappy finds copies, some long-range) with random stretches. */
    private byte[] bytes(int size) {
        byte[] b = new byte[size];
        int i = 0;
        while (i < size) {
            int run = Math.min(size - i, 1 + random.nextInt(300));
            if (random.nextInt(3) == 0) {
                byte[] r = new byte[run];
                random.nextBytes(r);
                System.arraycopy(r, 0, b, i, run);
            } else if (i > 0) {
                int from = random.nextInt(i);
                for (int k = 0; k < run; k++) {
                    b[i + k] = b[from + k % (i - from)];
                }
            }
            i += run;
        }
        return b;
    }

    private byte[] writeRequest(int series) {
        WriteRequestEncoder enc = new WriteRequestEncoder();
        for (int s = 0; s < series; s++) {
            enc.addSeries(
                    new String[] {
                        "__name__",
                        "robot_joint_temp_celsius",
                        "joint",
                        "j" + random.nextInt(20),
                        "robot",
                        "r" + random.nextInt(3)
                    },
                    3,
                    random.nextDouble() * 100,
                    1_763_800_000_000L + s);
        }
        return enc.toByteArray();
    }

    @Test
    void joinsBlocksOfEverySize() throws IOException {
        int[] sizes = {0, 1, 2, 17, 100, 4096, 65535, 65536, 65537, 300_000, 700_000};
        for (int a : sizes) {
            for (int b : new int[] {0, 1, 65536, 300_000}) {
                assertJoinDecompressesToConcatenation(List.of(bytes(a), bytes(b)));
            }
        }
    }

    @Test
    void joinsRandomListsOfRandomBlocks() throws IOException {
        for (int round = 0; round < 40; round++) {
            List<byte[]> plain = new ArrayList<>();
            int n = random.nextInt(12);
            for (int i = 0; i < n; i++) {
                int size =
                        switch (random.nextInt(5)) {
                            case 0 -> random.nextInt(3);
                            case 1 -> random.nextInt(200);
                            case 2 -> 65536 + random.nextInt(3) - 1;
                            default -> random.nextInt(400_000);
                        };
                plain.add(bytes(size));
            }
            assertJoinDecompressesToConcatenation(plain);
        }
    }

    /** Identical blocks: every copy in the second could reach into the first, and must not. */
    @Test
    void joinsIdenticalBlocks() throws IOException {
        byte[] p = bytes(100_000);
        assertJoinDecompressesToConcatenation(List.of(p, p, p));
    }

    @Test
    void joinedWriteRequestsAreOneWriteRequest() throws IOException {
        List<byte[]> plain = new ArrayList<>();
        int series = 0;
        for (int i = 0; i < 10; i++) {
            int n = 1 + random.nextInt(2000);
            series += n;
            plain.add(writeRequest(n));
        }
        assertJoinDecompressesToConcatenation(plain);
        List<byte[]> blocks = new ArrayList<>();
        for (byte[] p : plain) {
            blocks.add(Snappy.rawCompress(p, p.length));
        }
        byte[] joined = Snappy.uncompress(join(blocks));
        assertEquals(series, WriteRequestDecoder.countSamples(joined, 0, joined.length));
    }

    /** Worked by hand: "abc" and "abcabcabc" (a literal, then a copy of offset 3). */
    @Test
    void handMadeBlocks() throws IOException {
        byte[] abc = {3, 0x08, 'a', 'b', 'c'}; // length 3; literal of 3 (tag (3-1)<<2)
        // length 9; literal "abc"; copy-1 of length 6 offset 3: tag ((6-4)<<2)|1, offset byte 3
        byte[] abc3 = {9, 0x08, 'a', 'b', 'c', (2 << 2) | 1, 3};
        assertArrayEquals("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), Snappy.uncompress(abc));
        assertArrayEquals("abcabcabc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), Snappy.uncompress(abc3));
        byte[] joined = join(List.of(abc, abc3));
        assertArrayEquals(new byte[] {12, 0x08, 'a', 'b', 'c', 0x08, 'a', 'b', 'c', (2 << 2) | 1, 3}, joined);
        assertArrayEquals(
                "abcabcabcabc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), Snappy.uncompress(joined));
    }

    @Test
    void preambleIsRightAlignedBeforeTheFirstElement() {
        byte[] dst = new byte[10];
        assertEquals(4, SnappyConcat.writePreamble(dst, 5, 0x7f));
        assertEquals(0x7f, dst[4]);
        assertEquals(3, SnappyConcat.writePreamble(dst, 5, 300));
        assertArrayEquals(new byte[] {(byte) 0xac, 0x02}, Arrays.copyOfRange(dst, 3, 5));
        assertEquals(0, SnappyConcat.writePreamble(dst, 5, Integer.MAX_VALUE));
        assertEquals(Integer.MAX_VALUE, SnappyConcat.uncompressedLength(dst, 0, 5));
        for (int v : new int[] {0, 1, 127, 128, 16383, 16384, 2_097_151, 2_097_152, 268_435_455, 268_435_456}) {
            int start = SnappyConcat.writePreamble(dst, 5, v);
            assertEquals(5 - start, SnappyConcat.preambleBytes(v));
            assertEquals(v, SnappyConcat.uncompressedLength(dst, start, 5 - start));
        }
    }

    @Test
    void malformedPreamblesAreRejected() {
        byte[] ff = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0};
        assertEquals(-1, SnappyConcat.uncompressedLength(new byte[0], 0, 0), "empty");
        assertEquals(-1, SnappyConcat.uncompressedLength(new byte[] {(byte) 0x80}, 0, 1), "truncated");
        assertEquals(
                -1, SnappyConcat.uncompressedLength(new byte[] {5, (byte) 0x80}, 1, 1), "truncated at the range's end");
        assertEquals(-1, SnappyConcat.uncompressedLength(ff, 0, ff.length), "longer than 5 bytes");
        byte[] over = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}; // 2^31
        assertEquals(-1, SnappyConcat.uncompressedLength(over, 0, over.length), "over Integer.MAX_VALUE");
        byte[] dst = {42, 42};
        assertThrows(IllegalArgumentException.class, () -> SnappyConcat.appendElements(ff, 0, ff.length, dst, 0));
        assertArrayEquals(new byte[] {42, 42}, dst, "nothing copied");
    }

    /**
     * An over-long preamble (a zero last byte after the first) is malformed: {@code appendElements}
     * skips the canonical preamble's bytes, so it would copy the rest of it as elements (found by
     * {@code RecordFormatFuzzTest}).
     */
    @Test
    void anOverLongPreambleIsMalformed() {
        assertEquals(0, SnappyConcat.uncompressedLength(new byte[] {0}, 0, 1));
        assertEquals(-1, SnappyConcat.uncompressedLength(new byte[] {(byte) 0x80, 0}, 0, 2));
        assertEquals(-1, SnappyConcat.uncompressedLength(new byte[] {(byte) 0x84, 0, 1}, 0, 3));
        assertEquals(-1, SnappyConcat.uncompressedLength(new byte[] {(byte) 0x81, (byte) 0x80, 0}, 0, 3));
        assertEquals(128, SnappyConcat.uncompressedLength(new byte[] {(byte) 0x80, 1}, 0, 2));
        assertThrows(
                IllegalArgumentException.class,
                () -> SnappyConcat.appendElements(new byte[] {(byte) 0x84, 0, 0, 1, 2, 3}, 0, 6, new byte[8], 0));
    }
}
