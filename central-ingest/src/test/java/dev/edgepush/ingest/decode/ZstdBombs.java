package dev.edgepush.ingest.decode;

import java.io.ByteArrayOutputStream;

/** Hostile zstd frames written byte by byte (frame header, RLE blocks): small and exact. */
public final class ZstdBombs {
    /** zstd's largest block. */
    static final int BLOCK = 128 << 10;

    private ZstdBombs() {}

    /** A frame of {@code blocks} RLE blocks of {@link #BLOCK} zero bytes after {@code header}. */
    static byte[] rleFrame(byte[] header, int blocks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(header.length + 4 * blocks);
        out.writeBytes(header);
        for (int i = 0; i < blocks; i++) {
            int last = i == blocks - 1 ? 1 : 0;
            int h = last | 1 << 1 | BLOCK << 3; // RLE block: the next byte, BLOCK times
            out.write(h);
            out.write(h >>> 8);
            out.write(h >>> 16);
            out.write(0);
        }
        return out.toByteArray();
    }

    /** Magic, a descriptor without content size, a window descriptor for {@code 2^windowLog} bytes. */
    static byte[] noSizeHeader(int windowLog) {
        return new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0x00, (byte) ((windowLog - 10) << 3)};
    }

    /** 4 GiB declared in 17 bytes: single segment, an 8-byte content size, one RLE block. */
    public static byte[] declaring4GiB() {
        return rleFrame(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, (byte) 0xE0, 0, 0, 0, 0, 1, 0, 0, 0}, 1);
    }

    /** 1 GiB of zeros in 32 KiB, its size nowhere in the frame: only decoding finds out. */
    public static byte[] gibibyteWithoutSize() {
        return rleFrame(noSizeHeader(17), 8192);
    }

    /** A frame asking for a 2 GiB window (and holding 128 KiB). */
    public static byte[] hugeWindow() {
        return rleFrame(noSizeHeader(31), 1);
    }
}
