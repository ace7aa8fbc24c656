package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of {@link DiskBuffer#open}, in order: read the acknowledged position ({@link
 * AckFile}; a damaged one means nothing acknowledged); move aside cycle files Chronicle cannot
 * open and build the queue ({@link BufferRecovery}); salvage a damaged newest cycle ({@link
 * CycleSalvage}); continue or start the epoch ({@link BufferEpoch}); count the samples pending
 * from before the restart; run the housekeeping once ({@link DiskBuffer#enforceCap}), whose
 * failure never keeps the buffer from opening. What is opened is closed again when a later step
 * throws.
 */
final class BufferOpener {
    /** The lines are the buffer's: logged under its name. */
    private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);

    private BufferOpener() {}

    static DiskBuffer open(
            Path dir,
            long maxDiskBytes,
            Duration syncInterval,
            RollCycle rollCycle,
            TimeProvider clock,
            String syncThreadName)
            throws IOException {
        Files.createDirectories(dir);
        AckFile ackFile = new AckFile(dir);
        AckState state;
        try {
            state = ackFile.readState();
        } catch (AckFile.CorruptAckException e) {
            log.warn("{}; re-sending the whole buffer (at-least-once: duplicates, not loss)", e.getMessage());
            state = AckState.NONE;
        }
        long acked = state.acked();
        Path queueDir = dir.resolve("queue");
        DamageCount damage = new DamageCount();
        damage.files.addAndGet(BufferRecovery.quarantineUnopenableCycleFiles(queueDir));
        SingleChronicleQueue queue = QueueFiles.buildQueue(queueDir, rollCycle, clock, damage);
        long[] ackHolder = {acked};
        SingleChronicleQueue before = queue;
        queue = CycleSalvage.salvageNewestCycleIfDamaged(queue, queueDir, ackFile, ackHolder, rollCycle, clock, damage);
        acked = ackHolder[0];
        if (queue != before) {
            if (state.split() >= 0) {
                // The salvaged cycle's excerpts got new indices: the live lane's positions may no
                // longer mean what they did. One lane from A again: what the live lane had delivered
                // is sent again (duplicates, not loss).
                log.warn(
                        "buffer {}: the newest file was salvaged; ending the fresh-first split, re-sending"
                                + " what the live lane had delivered",
                        dir);
                ackFile.write(AckState.single(acked));
            }
            state = AckState.single(acked);
        }
        DiskBuffer buffer;
        try {
            BufferEpoch epoch = BufferEpoch.open(dir, queue, damage.files.get() > 0, new java.security.SecureRandom());
            buffer = new DiskBuffer(
                    dir, queue, ackFile, state, maxDiskBytes, syncInterval, syncThreadName, damage, epoch);
        } catch (IOException | RuntimeException e) {
            queue.close();
            throw e;
        }
        try {
            buffer.countPendingAtOpen();
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
        try {
            buffer.enforceCap();
        } catch (IOException | RuntimeException e) {
            // Housekeeping is retried every second; it must never keep the process from starting.
            log.error(
                    "buffer {}: housekeeping (delivered files, disk cap) failed at open, will retry: {}",
                    dir,
                    e.toString());
        }
        return buffer;
    }
}
