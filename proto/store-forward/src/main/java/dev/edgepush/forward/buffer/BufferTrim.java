package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DiskBuffer}'s housekeeping: deletes delivered cycle files and applies the disk cap.
 * Everything runs under the {@link AckPosition}'s lock, as acknowledgements do.
 *
 * <p>Delivered files. {@link DiskBuffer#enforceCap} (the once-a-second housekeeping) first deletes every
 * cycle file before the one that holds the acknowledged position: all of it was delivered (or
 * counted as dropped). So with the remote reachable the buffer holds about the current and the
 * previous minute's file, whatever the cap; before, delivered data stayed until the cap removed
 * it, and with no cap it was never removed.
 *
 * <p>Disk cap ({@code -remoteWrite.maxDiskUsagePerURL}, {@code maxDiskBytes}, 0 = unlimited).
 * Disk use is what {@code du} reports for the whole directory (allocated blocks, {@link
 * DiskUsage}), never the apparent size of the sparse cycle files. {@link DiskBuffer#enforceCap} is called
 * by its owner's scheduler about once a second (and once at {@link DiskBuffer#open}); {@link DiskBuffer#append}
 * does not call it, so the scrape path never reads or deletes files. When use is over the cap
 * it first deletes what {@link BufferRecovery} moved aside as damaged ({@code *.corrupt-*}:
 * nothing in it can still be sent), oldest first, then whole cycle files, oldest first, never
 * the newest one (the file being appended
 * to), until use is at or under the cap or only the newest file is left. Unacknowledged
 * samples in a deleted file are counted once in {@link DiskBuffer#diskFullSamplesTotal} and leave
 * {@link DiskBuffer#pendingSamples}; the acknowledged position is moved (and persisted) to the last
 * excerpt of the deleted file, so a restart neither looks for nor counts them again.
 *
 * <p>The guarantee, the "small documented margin": right after {@link DiskBuffer#enforceCap}, disk use
 * is at most the cap plus the allocated size of one cycle file (the newest, which is never
 * deleted; at most a minute of scrapes) plus the small fixed files ({@code ack.pos}, the queue's
 * {@code metadata.cq4t}). Between two calls it can grow by what the scrapes of that interval
 * (about a second) write. A deleted file that a reader still has mapped frees its blocks when
 * the reader lets go of it (the sender re-creates its reader after a trim, see below).
 *
 * <p>Trim and sender. The sender is the only reader and may hold an in-memory batch read from
 * a file that a trim deletes. Every trim that moves the acknowledged position (that is, drops
 * unacknowledged excerpts) increments {@link DiskBuffer#trimGeneration}. The sender notes the
 * generation when it creates its reader; when it changes, the sender discards its batch and
 * reader and reads again from the new acknowledged position, so excerpts in files that still
 * exist are read again and those in deleted files are gone (counted once, by the trim). {@link
 * DiskBuffer#ack(long, long, long)} applies only an acknowledgement whose generation is current and
 * which moves the position forward. A batch whose push was in flight during such a trim is
 * therefore treated as not delivered: its samples from deleted files stay counted as
 * disk_full (the remote may in fact have them), the rest are sent again (at-least-once).
 *
 * <p>Lanes. While fresh-first delivery has split the buffer ({@link BufferLanes}), a deleted file
 * in the backfill range counts its unacknowledged samples as disk_full exactly as above and moves
 * A. A deleted file that reaches the live lane (its last excerpt at or after S - 1) ends the split:
 * the live lane's acknowledged excerpts in it are not counted, its unacknowledged ones are, and
 * A := max(its end, L). Both lanes' readers and batches are invalidated by the generation.
 */
final class BufferTrim {
    /** DiskBuffer's logger: these lines are the buffer's, as they always were. */
    private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final AckPosition position;
    private final long maxDiskBytes;
    private final IntFunction<Path> cycleFile;

    BufferTrim(
            Path dir,
            SingleChronicleQueue queue,
            AckPosition position,
            long maxDiskBytes,
            IntFunction<Path> cycleFile) {
        this.dir = dir;
        this.queue = queue;
        this.position = position;
        this.maxDiskBytes = maxDiskBytes;
        this.cycleFile = cycleFile;
    }

    /** See {@link DiskBuffer#enforceCap}. */
    int enforceCap() throws IOException {
        synchronized (position) {
            int deleted = deleteAcknowledged();
            if (maxDiskBytes <= 0) {
                return deleted;
            }
            long used = DiskUsage.allocatedBytes(dir);
            if (used <= maxDiskBytes) {
                return deleted;
            }
            // Files moved aside as damaged hold nothing that can still be sent (their readable part was
            // salvaged, their samples counted where they could be): they go first.
            for (Path q : BufferRecovery.quarantined(dir)) {
                if (used <= maxDiskBytes) {
                    return deleted;
                }
                BufferRecovery.deleteQuarantined(q);
                deleted++;
                log.warn(
                        "disk cap {} reached: deleted {}, moved aside earlier as damaged",
                        QueueFiles.formatBytes(maxDiskBytes),
                        dir.relativize(q));
                used = DiskUsage.allocatedBytes(dir);
            }
            if (used <= maxDiskBytes) {
                return deleted;
            }
            queue.refreshDirectoryListing();
            int newest = queue.lastCycle();
            int oldest = queue.firstCycle();
            if (oldest >= newest) {
                return deleted; // no file, or only the one being appended to
            }
            List<Long> cycles = new ArrayList<>(queue.listCyclesBetween(oldest, newest));
            for (long c : cycles) {
                int cycle = (int) c;
                if (used <= maxDiskBytes || cycle >= newest) {
                    break;
                }
                Path file = cycleFile.apply(cycle);
                if (!Files.exists(file)) {
                    continue;
                }
                long acked = position.acked();
                CycleScan scan = scanUnacked(cycle, acked);
                Files.delete(file);
                deleted++;
                if (scan.lastIndex > acked) {
                    position.trimmedTo(scan.lastIndex, scan.samples);
                }
                log.warn(
                        "disk cap {} reached: dropped the oldest file {} with {} unsent samples",
                        QueueFiles.formatBytes(maxDiskBytes),
                        file.getFileName(),
                        scan.samples);
                used = DiskUsage.allocatedBytes(dir);
            }
            if (deleted > 0) {
                queue.refreshDirectoryListing();
            }
            return deleted;
        }
    }

    /**
     * Deletes every cycle file before the one holding the acknowledged position: all their
     * excerpts were delivered (or counted), so nothing will read them again. Never the newest
     * file, nor the acknowledged position's own file (the next acknowledgement in a later file
     * frees it). Without this, delivered data stayed on disk until the cap removed it, and with no
     * cap ({@code -remoteWrite.maxDiskUsagePerURL=0}, the default) it was never removed.
     */
    int deleteAcknowledged() throws IOException {
        synchronized (position) {
            long acked = position.acked();
            if (acked < 0) {
                return 0;
            }
            queue.refreshDirectoryListing();
            int newest = queue.lastCycle();
            int oldest = queue.firstCycle();
            int before = Math.min(queue.rollCycle().toCycle(acked), newest);
            if (oldest < 0 || oldest >= before) {
                return 0;
            }
            int deleted = 0;
            // Both bounds must be cycles with a file (Chronicle throws otherwise): files exist only for
            // minutes that saw a write, so before - 1 may have none.
            for (long c : new ArrayList<>(queue.listCyclesBetween(oldest, newest))) {
                if (c < before && Files.deleteIfExists(cycleFile.apply((int) c))) {
                    deleted++;
                }
            }
            if (deleted > 0) {
                queue.refreshDirectoryListing();
                log.debug("deleted {} delivered buffer files", deleted);
            }
            return deleted;
        }
    }

    private record CycleScan(long samples, long lastIndex) {}

    /**
     * Unacknowledged samples in {@code cycle} (excerpts after {@code acked}, minus the live lane's
     * acknowledged ones and those already counted as corrupt) and the cycle's last index (-1 when nothing in it is after {@code
     * acked}). Reads only the excerpt headers.
     */
    private CycleScan scanUnacked(int cycle, long acked) {
        RollCycle rc = queue.rollCycle();
        if (acked >= 0 && rc.toCycle(acked) > cycle) {
            return new CycleScan(0, -1);
        }
        long samples = 0;
        long last = -1;
        try (ExcerptTailer tailer = queue.createTailer()) {
            if (acked >= 0 && rc.toCycle(acked) == cycle && tailer.moveToIndex(acked)) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    dc.isPresent(); // skip the acknowledged excerpt itself
                }
            } else if (!tailer.moveToCycle(cycle)) {
                return new CycleScan(0, -1);
            }
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    long index = dc.index();
                    if (rc.toCycle(index) != cycle) {
                        break;
                    }
                    if (index <= acked) {
                        continue;
                    }
                    last = index;
                    if (position.isAcked(index)) {
                        continue; // the live lane's, delivered
                    }
                    int count = position.countedCorrupt(index)
                            ? -1
                            : RecordFormat.sampleCount(dc.wire().bytes());
                    if (count < 0) {
                        continue; // already counted as corrupt, or counted as 0 samples at open
                    }
                    samples += count;
                }
            }
        }
        return new CycleScan(samples, last);
    }
}
