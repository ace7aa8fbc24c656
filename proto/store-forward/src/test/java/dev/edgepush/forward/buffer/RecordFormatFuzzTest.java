package dev.edgepush.forward.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import org.xerial.snappy.Snappy;

/**
 * Any bytes as one buffer excerpt, read as {@link BufferReader} reads it ({@link
 * RecordFormat#read}): it is either intact or damaged, nothing escapes (no IndexOutOfBounds,
 * BufferUnderflow, NegativeArraySize, OOM). Damaged: the samples counted as corrupt are never
 * negative (-1: unknown, the excerpt is counted instead). Intact: the header is sane (sample count and lengths not negative) and the payload's
 * Snappy preamble is one the sender can join ({@link SnappyConcat}): the block rebuilt from its
 * elements and the header's length is the stored block byte for byte, and two copies joined
 * decompress to the payload twice where the payload decompresses at all.
 *
 * <p>The first input byte steers the rest past the checks random bytes rarely pass: bit 0 writes
 * the right CRC32C over the payload, bit 1 the header's uncompressed length from the payload's
 * preamble; the excerpt is the input after that byte. {@code ./mvnw test} runs the seeds in
 * {@code RecordFormatFuzzTestInputs/}; the {@code fuzz-short} execution of {@code ./mvnw verify}
 * fuzzes it for {@code maxDuration}, and {@code deploy/testbed/bin/fuzz-long} for as long as
 * asked. One fuzz test per class: Jazzer fuzzes one per JVM.
 */
class RecordFormatFuzzTest {
    /** Payloads that declare more than this are not decompressed (memory). */
    static final int DECOMPRESS_LIMIT = 1 << 20;

    private final CRC32C crc = new CRC32C();
    private final BufferReader.Record r = new BufferReader.Record();

    @FuzzTest(maxDuration = "10s")
    void readOrDamageNeverBoth(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        byte[] excerpt = steer(input[0], Arrays.copyOfRange(input, 1, input.length));
        int headerCount = RecordFormat.sampleCount(Bytes.wrapForRead(excerpt));
        assertTrue(headerCount >= -1, "sampleCount " + headerCount);

        String damage = RecordFormat.read(Bytes.wrapForRead(excerpt), r, crc);
        if (damage != null) {
            assertTrue(r.sampleCount >= -1, "damaged (" + damage + ") but counts " + r.sampleCount + " samples");
            return;
        }
        assertTrue(r.sampleCount >= 0, "intact with " + r.sampleCount + " samples");
        assertTrue(r.uncompressedLength >= 0, "intact with uncompressed length " + r.uncompressedLength);
        assertTrue(
                r.compressedLength <= excerpt.length - RecordFormat.headerBytes(excerpt[0]),
                "payload length " + r.compressedLength);
        assertTrue(excerpt[0] == RecordFormat.VERSION_1 ? r.seq == -1 : r.seq >= 0, "sequence number " + r.seq);
        if (excerpt[0] == RecordFormat.VERSION) {
            // zstd (format 3): the reader decompressed it to exactly the header's length.
            assertTrue(r.uncompressedLength <= RecordFormat.PIECE_LIMIT_BYTES);
            byte[] plain = new byte[r.uncompressedLength];
            assertEquals(plain.length, r.decompressTo(plain, 0));
            return;
        }
        byte[] block = Arrays.copyOf(r.compressed, r.compressedLength);
        assertEquals(r.uncompressedLength, SnappyConcat.uncompressedLength(block, 0, block.length));

        // What the sender sends for a batch of this one excerpt is the stored block itself.
        byte[] dst = new byte[SnappyConcat.MAX_PREAMBLE_BYTES + 2 * block.length];
        int end = SnappyConcat.MAX_PREAMBLE_BYTES;
        end += r.appendElementsTo(dst, end);
        int start = SnappyConcat.writePreamble(dst, SnappyConcat.MAX_PREAMBLE_BYTES, r.uncompressedLength);
        assertArrayEquals(block, Arrays.copyOfRange(dst, start, end), "the block rebuilt from its elements");

        // Two copies joined decompress to the payload twice, where the payload decompresses.
        if (r.uncompressedLength <= DECOMPRESS_LIMIT && Snappy.isValidCompressedBuffer(block)) {
            byte[] plain = new byte[r.uncompressedLength];
            assertEquals(plain.length, r.decompressTo(plain, 0));
            end += r.appendElementsTo(dst, end);
            start = SnappyConcat.writePreamble(dst, SnappyConcat.MAX_PREAMBLE_BYTES, 2 * r.uncompressedLength);
            byte[] joined = Arrays.copyOfRange(dst, start, end);
            byte[] twice = new byte[2 * plain.length];
            System.arraycopy(plain, 0, twice, 0, plain.length);
            System.arraycopy(plain, 0, twice, plain.length, plain.length);
            assertTrue(Snappy.isValidCompressedBuffer(joined), "two copies joined are a valid block");
            assertArrayEquals(twice, Snappy.uncompress(joined));
        }
    }

    /** Applies the steering bits of {@code mode} to {@code excerpt} (see the class comment). */
    private byte[] steer(byte mode, byte[] excerpt) {
        if (excerpt.length < RecordFormat.HEADER_BYTES) {
            return excerpt;
        }
        int payload = excerpt.length - RecordFormat.HEADER_BYTES;
        if ((mode & 2) != 0) {
            putIntLe(excerpt, 13, SnappyConcat.uncompressedLength(excerpt, RecordFormat.HEADER_BYTES, payload));
        }
        if ((mode & 1) != 0) {
            crc.reset();
            crc.update(excerpt, RecordFormat.HEADER_BYTES, payload);
            putIntLe(excerpt, 17, (int) crc.getValue());
            putIntLe(excerpt, 21, payload);
        }
        return excerpt;
    }

    private static void putIntLe(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
