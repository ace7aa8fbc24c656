package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * The acknowledged position of the buffer: the queue index of the last excerpt the remote
 * answered 2xx for (or rejected for good), persisted so that a restart resumes right after it.
 *
 * <p>File {@code ack.pos}, 16 bytes, little-endian:
 *
 * <pre>
 * | offset | width | field                                                   |
 * |--------|-------|---------------------------------------------------------|
 * | 0      | 4     | magic "EPAK"                                            |
 * | 4      | 8     | queue index of the last acknowledged excerpt, -1 = none |
 * | 12     | 4     | CRC32 of bytes 0..11                                    |
 * </pre>
 *
 * <p>Order of writes: the new content goes to {@code ack.pos.tmp}, which is forced to disk,
 * then renamed over {@code ack.pos} (atomic on POSIX file systems), then the directory is
 * forced. A crash at any point leaves either the old or the new position, never a mix; the old
 * one only means some excerpts are sent again (at-least-once). A damaged file (bad magic, bad
 * CRC, short) is reported and treated as "nothing acknowledged": everything is re-sent rather
 * than anything lost.
 */
final class AckFile {
    static final String NAME = "ack.pos";
    private static final int MAGIC = 0x4B415045; // "EPAK" little-endian
    private static final int SIZE = 16;

    private final Path file;
    private final Path tmp;
    private final ByteBuffer buf = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);

    AckFile(Path dir) {
        this.file = dir.resolve(NAME);
        this.tmp = dir.resolve(NAME + ".tmp");
    }

    /** The persisted index, or -1 when there is none (first start). */
    long read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length != SIZE || b.getInt(0) != MAGIC) {
            throw new CorruptAckException(
                    file + ": expected " + SIZE + " bytes starting with EPAK, found " + bytes.length + " bytes");
        }
        long index = b.getLong(4);
        int crc = b.getInt(12);
        int expected = crc(bytes);
        if (crc != expected) {
            throw new CorruptAckException(file + ": checksum " + Integer.toHexString(crc) + " != "
                    + Integer.toHexString(expected) + " for index " + index);
        }
        return index;
    }

    /** Persists {@code index} durably (see the class comment for the order of writes). */
    void write(long index) throws IOException {
        buf.clear();
        buf.putInt(0, MAGIC).putLong(4, index);
        buf.putInt(12, crc(buf.array()));
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            buf.position(0).limit(SIZE);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(file.getParent());
    }

    private static int crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, 12);
        return (int) crc.getValue();
    }

    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems do not allow opening a directory; the rename is still atomic.
        }
    }

    /** The ack file exists but cannot be trusted. */
    static final class CorruptAckException extends IOException {
        CorruptAckException(String message) {
            super(message);
        }
    }
}
