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
 * answered 2xx for (or rejected for good), persisted so that a restart resumes right after it;
 * while fresh-first delivery has split the buffer into two lanes, also the split and the live
 * lane's position ({@link AckState}).
 *
 * <p>Version 1, written whenever there is no split (so a buffer without a backlog has the same
 * file as before lanes existed): {@code ack.pos}, 16 bytes, little-endian:
 *
 * <pre>
 * | offset | width | field                                                   |
 * |--------|-------|---------------------------------------------------------|
 * | 0      | 4     | magic "EPAK"                                            |
 * | 4      | 8     | queue index of the last acknowledged excerpt, -1 = none |
 * | 12     | 4     | CRC32 of bytes 0..11                                    |
 * </pre>
 *
 * <p>Version 2, written only while a split exists: 32 bytes, little-endian:
 *
 * <pre>
 * | offset | width | field                                                        |
 * |--------|-------|--------------------------------------------------------------|
 * | 0      | 4     | magic "EPA2"                                                 |
 * | 4      | 8     | A: the backfill lane's last acknowledged index, -1 = none    |
 * | 12     | 8     | S: the first index of the live lane (the split)              |
 * | 20     | 8     | L: the live lane's last acknowledged index, S - 1 = none yet |
 * | 28     | 4     | CRC32 of bytes 0..27                                         |
 * </pre>
 *
 * <p>Both versions read. An agent from before lanes existed takes a version 2 file for a damaged
 * one (wrong size and magic) and re-sends the whole buffer: duplicates, never loss.
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
    private static final int MAGIC_V2 = 0x32415045; // "EPA2" little-endian
    private static final int SIZE = 16;
    private static final int SIZE_V2 = 32;

    private final Path file;
    private final Path tmp;
    private final ByteBuffer buf = ByteBuffer.allocate(SIZE_V2).order(ByteOrder.LITTLE_ENDIAN);

    AckFile(Path dir) {
        this.file = dir.resolve(NAME);
        this.tmp = dir.resolve(NAME + ".tmp");
    }

    /** The persisted (backfill) index, or -1 when there is none (first start). */
    long read() throws IOException {
        return readState().acked();
    }

    /** The persisted state; nothing acknowledged and no split when there is no file (first start). */
    AckState readState() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return AckState.NONE;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        boolean v1 = bytes.length == SIZE && b.getInt(0) == MAGIC;
        boolean v2 = bytes.length == SIZE_V2 && b.getInt(0) == MAGIC_V2;
        if (!v1 && !v2) {
            throw new CorruptAckException(file + ": expected " + SIZE + " bytes starting with EPAK (or " + SIZE_V2
                    + " starting with EPA2), found " + bytes.length + " bytes");
        }
        int size = bytes.length;
        long index = b.getLong(4);
        int crc = b.getInt(size - 4);
        int expected = crc(bytes, size - 4);
        if (crc != expected) {
            throw new CorruptAckException(file + ": checksum " + Integer.toHexString(crc) + " != "
                    + Integer.toHexString(expected) + " for index " + index);
        }
        if (v1) {
            return new AckState(index, -1, -1);
        }
        long split = b.getLong(12);
        long live = b.getLong(20);
        if (split <= index || live < split - 1) {
            throw new CorruptAckException(file + ": split " + Long.toHexString(split) + " with acknowledged "
                    + Long.toHexString(index) + " and live " + Long.toHexString(live) + " is not consistent");
        }
        return new AckState(index, split, live);
    }

    /** Persists {@code index} durably, with no split (see the class comment for the order of writes). */
    void write(long index) throws IOException {
        write(new AckState(index, -1, -1));
    }

    /** Persists {@code state} durably: version 1 without a split, version 2 with one. */
    void write(AckState state) throws IOException {
        buf.clear();
        int size;
        if (state.split() < 0) {
            size = SIZE;
            buf.putInt(0, MAGIC).putLong(4, state.acked());
        } else {
            size = SIZE_V2;
            buf.putInt(0, MAGIC_V2)
                    .putLong(4, state.acked())
                    .putLong(12, state.split())
                    .putLong(20, state.liveAcked());
        }
        buf.putInt(size - 4, crc(buf.array(), size - 4));
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            buf.position(0).limit(size);
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

    private static int crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
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
