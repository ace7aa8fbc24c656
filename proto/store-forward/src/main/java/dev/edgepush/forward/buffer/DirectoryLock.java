package dev.edgepush.forward.buffer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data directory ({@code -remoteWrite.tmpDataPath}, central-ingest's
 * {@code -wal.path}), held for the life of the process, as vmagent holds {@code flock.lock} in
 * its data path. Two processes on one buffer would both append to it and both acknowledge what the
 * other had not sent, so the second one stops at start instead.
 *
 * <p>The lock is an OS lock on {@code <dir>/flock.lock} ({@link FileChannel#tryLock}: fcntl on
 * Linux), not the file's existence: the kernel drops it when the process dies, {@code kill -9}
 * included, so a stale file never blocks the next start. The file holds the holder's pid, for the
 * message the second process prints. fcntl locks belong to the process and end when any of its
 * descriptors of the file is closed, so nothing else may open this file: its name is not one the
 * buffer uses.
 */
public final class DirectoryLock implements Closeable {
    /** vmagent's name for the same file. */
    public static final String FILE_NAME = "flock.lock";

    /** The directory is locked by another process (or by another instance in this JVM). */
    public static final class HeldException extends IOException {
        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message);
        }
    }

    private final FileChannel channel;
    private final FileLock lock;
    private final Path file;

    private DirectoryLock(FileChannel channel, FileLock lock, Path file) {
        this.channel = channel;
        this.lock = lock;
        this.file = file;
    }

    /**
     * Creates {@code dir} if needed and locks it, or throws {@link HeldException} with a one-line
     * message naming {@code flag}, the directory and the holder's pid when it is locked already.
     */
    public static DirectoryLock acquire(Path dir, String flag) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        // No TRUNCATE_EXISTING: the holder's pid must survive a second process opening the file.
        FileChannel ch =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM holds it already (two instances in one test JVM)
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String holder = holderOf(ch);
            ch.close();
            throw new HeldException(flag + "=" + dir + " is in use: another process" + holder + " holds its lock "
                    + file + "; stop that process or give this one its own " + flag);
        }
        try {
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(pid), 0);
        } catch (IOException e) {
            // The pid is only for the message; the lock is what counts.
        }
        return new DirectoryLock(ch, lock, file);
    }

    private static String holderOf(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            ch.read(b, 0);
            String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return pid.matches("[0-9]{1,19}") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    public Path file() {
        return file;
    }

    /** Releases the lock (the file stays: deleting it would race with a process locking it). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
