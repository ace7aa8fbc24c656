package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The numbering of a buffer's excerpts, for completeness accounting downstream: every excerpt
 * gets a sequence number, 0, 1, 2, ... within an <em>epoch</em>, a random 64-bit id kept in the
 * file {@code epoch} of the buffer directory (16 hex digits and a newline).
 *
 * <p>Why this design: the number is stored in each excerpt's header ({@link RecordFormat} version
 * 2) and the next one is derived at open from the newest excerpt in the queue (its number plus
 * one). Nothing else has to be written per append, the numbers are contiguous (an excerpt that
 * could not be written does not use one up: the counter moves only after a write succeeded), and
 * they survive restarts because the newest excerpt is never deleted: delivered files and the
 * disk cap both keep the newest file ({@link BufferTrim}). The queue's own index is not used: it
 * jumps at every roll of a cycle file, so a receiver could not tell a gap from a roll.
 *
 * <p>A new epoch (new id, numbering from 0) starts when the numbering cannot be continued
 * safely: the directory has no {@code epoch} file (a new or wiped buffer), damage was found at
 * open ({@link BufferRecovery}, {@link CycleSalvage}: excerpts at the end may be gone, and their
 * numbers may already have been sent), or the newest excerpt has no readable number (written
 * before sequence numbers, or damaged). Limit: a power cut that loses the unsynced end of the
 * newest file (see {@code syncInterval}) goes unnoticed, and numbers the lost excerpts had (and
 * may have sent) are given again; with a sync interval of 0 nothing is lost that way.
 *
 * <p>The file is written as {@code ack.pos} is (temporary file, forced, renamed, directory
 * forced), so a crash leaves the old or the new id.
 */
public final class BufferEpoch {
    private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);
    static final String NAME = "epoch";

    private final String id;
    private final long firstSeq;

    private BufferEpoch(String id, long firstSeq) {
        this.id = id;
        this.firstSeq = firstSeq;
    }

    /** The epoch id: 16 lowercase hex digits. */
    public String id() {
        return id;
    }

    /** The sequence number the next excerpt appended gets (at open). */
    long firstSeq() {
        return firstSeq;
    }

    /**
     * Reads (or starts) the epoch of the buffer in {@code dir} whose queue is {@code queue};
     * {@code damaged}: damage was found at open, which starts a new epoch.
     */
    static BufferEpoch open(Path dir, SingleChronicleQueue queue, boolean damaged, SecureRandom random)
            throws IOException {
        Path file = dir.resolve(NAME);
        String id = read(file);
        long last = damaged ? -1 : lastSeq(queue);
        if (id != null && last >= 0) {
            return new BufferEpoch(id, last + 1);
        }
        String why = id == null
                ? "no epoch file"
                : damaged ? "damage found at open" : "the newest excerpt has no sequence number";
        byte[] b = new byte[8];
        random.nextBytes(b);
        String fresh = HexFormat.of().formatHex(b);
        write(dir, fresh);
        if (id != null) {
            log.warn(
                    "buffer {}: starting a new epoch {} after {} ({}): sequence numbers restart at 0",
                    dir,
                    fresh,
                    id,
                    why);
        }
        return new BufferEpoch(fresh, 0);
    }

    /** The sequence number of the newest excerpt, or -1 when there is none or it has none. */
    static long lastSeq(SingleChronicleQueue queue) {
        try (ExcerptTailer t = queue.createTailer()) {
            t.direction(TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = t.readingDocument()) {
                return dc.isPresent() ? RecordFormat.seq(dc.wire().bytes()) : -1;
            }
        } catch (RuntimeException e) {
            log.warn("buffer: cannot read the newest excerpt's sequence number ({}): a new epoch starts", e.toString());
            return -1;
        }
    }

    private static String read(Path file) throws IOException {
        String s;
        try {
            s = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return null;
        }
        return s.matches("[0-9a-f]{16}") ? s : null;
    }

    private static void write(Path dir, String id) throws IOException {
        Path file = dir.resolve(NAME);
        Path tmp = dir.resolve(NAME + ".tmp");
        try (var ch = java.nio.channels.FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            var buf = java.nio.ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII));
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
        AckFile.forceDirectory(dir);
    }
}
