package dev.edgepush.forward.buffer;

/**
 * Joins Snappy raw blocks into one raw block without decompressing them.
 *
 * <p>A Snappy raw block (the "block format" remote write requires, not the framed format) is a
 * preamble, the uncompressed length as a little-endian base-128 varint, followed by elements:
 * literals (bytes to copy out) and copies (length and offset, the offset being a distance back
 * into the output produced so far). A compressor only ever refers to its own block's output, so
 * a copy in block B reaches back at most to B's first output byte. Dropping every block's
 * preamble, putting the element streams back to back and writing one preamble with the total
 * length therefore gives a valid block that decompresses to the blocks' contents concatenated:
 * decoders (C++ snappy, snappy-java, Go's golang/snappy in VictoriaMetrics) check only that a
 * copy's offset is within what was produced so far, and that the output ends at the declared
 * length. The compressed size is the sum of the element streams plus one preamble, a few bytes
 * less than the blocks' sum; decompression costs nothing here.
 *
 * <p>Use: leave {@link #MAX_PREAMBLE_BYTES} bytes free at the start of the destination, {@link
 * #appendElements} each block after them, then {@link #writePreamble} right-aligned before the
 * first element; the joined block starts at the offset it returns.
 *
 * <pre>
 * int end = SnappyConcat.MAX_PREAMBLE_BYTES, total = 0;
 * for (block : blocks) {
 *   int n = SnappyConcat.uncompressedLength(block, 0, block.length); // -1: damaged
 *   end += SnappyConcat.appendElements(block, 0, block.length, dst, end);
 *   total += n;
 * }
 * int start = SnappyConcat.writePreamble(dst, SnappyConcat.MAX_PREAMBLE_BYTES, total);
 * // dst[start, end) is one Snappy raw block
 * </pre>
 *
 * <p>Only the preamble is checked; the elements are copied as they are (on disk they are covered
 * by the buffer's checksum).
 */
public final class SnappyConcat {
    /** The longest preamble: a varint of a 32-bit length. */
    public static final int MAX_PREAMBLE_BYTES = 5;

    private SnappyConcat() {}

    /**
     * The uncompressed length that the preamble of the raw block {@code block[offset, offset +
     * length)} declares, or -1 when the preamble is malformed: truncated (a continuation bit on the
     * last byte given), longer than {@link #MAX_PREAMBLE_BYTES}, over {@link Integer#MAX_VALUE}, or
     * over-long (a zero last byte after the first: 0x80 0x00 for 0). Decoders take an over-long
     * preamble, but {@link #appendElements} skips {@link #preambleBytes} of the value, the canonical
     * length, so it would copy the preamble's last bytes as elements and break the joined block.
     */
    public static int uncompressedLength(byte[] block, int offset, int length) {
        long value = 0;
        for (int i = 0; i < MAX_PREAMBLE_BYTES && i < length; i++) {
            int b = block[offset + i] & 0xFF;
            value |= (long) (b & 0x7F) << (7 * i);
            if (b < 0x80) {
                return value > Integer.MAX_VALUE || (b == 0 && i > 0) ? -1 : (int) value;
            }
        }
        return -1;
    }

    /** Bytes of the varint that encodes {@code value} (1 to 5). */
    public static int preambleBytes(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative length " + value);
        }
        int n = 1;
        while (value >= 0x80) {
            value >>>= 7;
            n++;
        }
        return n;
    }

    /**
     * Copies the elements of the raw block {@code block[offset, offset + length)} (everything after
     * its preamble) to {@code dst} at {@code dstOffset}; returns how many bytes were copied.
     *
     * @throws IllegalArgumentException when the preamble is malformed (see {@link
     *     #uncompressedLength}); nothing is copied then
     */
    public static int appendElements(byte[] block, int offset, int length, byte[] dst, int dstOffset) {
        int uncompressed = uncompressedLength(block, offset, length);
        if (uncompressed < 0) {
            throw new IllegalArgumentException("malformed Snappy preamble");
        }
        int skip = preambleBytes(uncompressed);
        int n = length - skip;
        System.arraycopy(block, offset + skip, dst, dstOffset, n);
        return n;
    }

    /**
     * Writes the preamble for {@code totalUncompressedLength} so that it ends at {@code
     * firstElement} (which must have at least {@link #MAX_PREAMBLE_BYTES} bytes before it, or as
     * many as {@link #preambleBytes} says); returns where the preamble, and so the joined block,
     * starts.
     */
    public static int writePreamble(byte[] dst, int firstElement, int totalUncompressedLength) {
        int start = firstElement - preambleBytes(totalUncompressedLength);
        int v = totalUncompressedLength;
        int i = start;
        while (v >= 0x80) {
            dst[i++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        dst[i] = (byte) v;
        return start;
    }
}
