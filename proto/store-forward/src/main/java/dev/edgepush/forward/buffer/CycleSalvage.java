package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.core.values.TwoLongValue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 3 of {@link BufferRecovery} at open: each cycle file that may hold unacknowledged
 * excerpts is read through (headers only) and compared with its own index and header; damaged
 * older cycles are logged and counted, the newest damaged one is salvaged into a fresh file.
 */
final class CycleSalvage {
    /** DiskBuffer's logger: these lines are the buffer's, as they always were. */
    private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);

    private CycleSalvage() {}

    /** What reading one cycle file through found. */
    record CycleCheck(int cycle, long readable, long indexed, long lastEnd, long writePosition, String error) {
        boolean damaged() {
            return error != null || readable < indexed || (readable > 0 && lastEnd <= writePosition);
        }

        @Override
        public String toString() {
            return error != null
                    ? "reading it failed: " + error
                    : "its index counts " + indexed + " excerpts, " + readable
                            + " are readable, the last readable ends at byte " + lastEnd
                            + " but the file header's write position is " + writePosition;
        }
    }

    /**
     * Reads cycle {@code cycle} through, headers only, and compares it with the cycle's own index
     * ({@code excerptsInCycle}) and the write position in its header (where its last excerpt
     * starts): a truncated file or one with garbage over an index or excerpt header reads fewer.
     */
    static CycleCheck checkCycle(SingleChronicleQueue queue, int cycle) {
        long readable = 0;
        long lastEnd = -1;
        long indexed = -1;
        long writePosition = -1;
        try (ExcerptTailer tailer = queue.createTailer()) {
            indexed = tailer.excerptsInCycle(cycle);
            if (tailer.moveToCycle(cycle)) {
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent() || queue.rollCycle().toCycle(dc.index()) != cycle) {
                            break;
                        }
                        readable++;
                        lastEnd = dc.wire().bytes().readLimit();
                    }
                }
            }
            SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
            if (store != null) {
                try {
                    writePosition = store.writePosition();
                    indexed = Math.max(indexed, excerptsUpToWritePosition(store, writePosition));
                } finally {
                    queue.closeStore(store);
                }
            }
            return new CycleCheck(cycle, readable, indexed, lastEnd, writePosition, null);
        } catch (RuntimeException e) {
            return new CycleCheck(cycle, readable, indexed, lastEnd, writePosition, e.toString());
        }
    }

    /**
     * How many excerpts the file header says the cycle holds. Next to the write position (where the
     * last excerpt starts) Chronicle keeps that excerpt's sequence number, packed as {@code
     * position << 32 | sequence}, so this survives damage to the excerpts and to the index (whose
     * last entry can be up to an index spacing, 16 excerpts in a minute file, before the end, and
     * whose count stops at the first unreadable excerpt after it). Chronicle does not expose it:
     * read by reflection from {@code SingleChronicleQueueStore.writePosition}, a {@link
     * TwoLongValue}; 0 when that is not what is found (another Chronicle version), or when the
     * packed position is not the write position, so the caller falls back to the index's count.
     * {@code DiskBufferCorruptCountTest} fails if this stops working.
     */
    static long excerptsUpToWritePosition(SingleChronicleQueueStore store, long writePosition) {
        if (writePosition <= 0) {
            return 0;
        }
        try {
            java.lang.reflect.Field f = SingleChronicleQueueStore.class.getDeclaredField("writePosition");
            f.setAccessible(true);
            if (!(f.get(store) instanceof TwoLongValue v)) {
                return 0;
            }
            long packed = v.getValue2();
            if ((packed >>> 32) != (writePosition & 0xFFFF_FFFFL)) {
                return 0;
            }
            return (packed & 0xFFFF_FFFFL) + 1;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Step 3 of {@link BufferRecovery}: the newest cycle is where the appender continues; if it is
     * damaged, new excerpts would land past the damage where no reader sees them. So its readable
     * unacknowledged excerpts are copied into a fresh file and the damaged one is moved aside.
     * Older damaged cycles are only logged: the reader steps over their damage.
     */
    static SingleChronicleQueue salvageNewestCycleIfDamaged(
            SingleChronicleQueue queue,
            Path queueDir,
            AckFile ackFile,
            long[] acked,
            RollCycle rollCycle,
            TimeProvider clock,
            DamageCount damage)
            throws IOException {
        int last = queue.lastCycle();
        if (last == Integer.MIN_VALUE || queue.firstCycle() > last) {
            return queue;
        }
        int from = acked[0] >= 0 ? rollCycle.toCycle(acked[0]) : queue.firstCycle();
        for (long c : queue.listCyclesBetween(Math.max(from, queue.firstCycle()), last)) {
            CycleCheck check = checkCycle(queue, (int) c);
            if (check.damaged() && c != last) {
                // The readable excerpts are a prefix (the reader stops at the damage); those it reads
                // with a bad payload are counted in samples by the reader. The rest are lost here.
                long lost = Math.max(
                        0, check.indexed() - Math.max(check.readable(), firstUnacked(acked[0], (int) c, rollCycle)));
                damage.files.incrementAndGet();
                damage.excerpts.addAndGet(lost);
                log.error(
                        "buffer file for cycle {} is damaged ({}): sending its {} readable excerpts and"
                                + " skipping the rest; {} unacknowledged excerpts cannot be read (counted in corrupt excerpts)",
                        c,
                        check,
                        check.readable(),
                        lost);
            }
        }
        CycleCheck check = checkCycle(queue, last);
        if (!check.damaged()) {
            return queue;
        }
        long unacked = Math.max(0, check.indexed() - firstUnacked(acked[0], last, rollCycle));
        Path file = QueueFiles.cycleFile(queueDir, rollCycle, queue.epoch(), last);
        queue.close();
        Path salvageDir = queueDir.resolveSibling("salvage");
        Files.createDirectories(salvageDir);
        Files.move(file, salvageDir.resolve(file.getFileName()));
        SingleChronicleQueue fresh = QueueFiles.buildQueue(queueDir, rollCycle, clock, damage);
        long copied = 0;
        long threshold = acked[0];
        try (SingleChronicleQueue salvage = QueueFiles.queueBuilder(salvageDir, rollCycle, clock)
                        .readOnly(false)
                        .build();
                ExcerptTailer tailer = salvage.createTailer();
                ExcerptAppender out = fresh.createAppender()) {
            tailer.moveToCycle(last);
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent() || rollCycle.toCycle(dc.index()) != last) {
                        break;
                    }
                    if (dc.index() <= threshold) {
                        continue;
                    }
                    try (DocumentContext w = out.writingDocument()) {
                        w.wire().bytes().write(dc.wire().bytes());
                    }
                    copied++;
                }
            }
        } catch (RuntimeException e) {
            log.error("salvaging the damaged buffer file {} stopped after {} excerpts: {}", file, copied, e.toString());
        }
        if (threshold >= 0 && rollCycle.toCycle(threshold) == last) {
            // The acknowledged excerpt was in the damaged file, whose sequence numbers the fresh file
            // reuses: acknowledge everything before the cycle instead (the copies are all unacked).
            threshold = rollCycle.toIndex(last, 0) - 1;
            ackFile.write(threshold);
            acked[0] = threshold;
        }
        Path aside = BufferRecovery.quarantine(salvageDir.resolve(file.getFileName()));
        Files.move(aside, queueDir.resolve(aside.getFileName()));
        Files.deleteIfExists(salvageDir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE));
        try (Stream<Path> rest = Files.list(salvageDir)) {
            for (Path p : (Iterable<Path>) rest::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(salvageDir);
        long lost = Math.max(0, unacked - copied);
        damage.files.incrementAndGet();
        damage.excerpts.addAndGet(lost);
        log.error(
                "buffer file {} (the newest) was damaged ({}): copied its {} readable unacknowledged"
                        + " excerpts to a fresh file and moved it aside to {}; {} unacknowledged excerpts cannot be read"
                        + " (counted in corrupt excerpts)",
                file.getFileName(),
                check,
                copied,
                aside.getFileName(),
                lost);
        return fresh;
    }

    /** The sequence number in {@code cycle} of its first unacknowledged excerpt: 0 unless the ack is in it. */
    private static long firstUnacked(long acked, int cycle, RollCycle rollCycle) {
        if (acked < 0 || rollCycle.toCycle(acked) < cycle) {
            return 0;
        }
        return rollCycle.toCycle(acked) > cycle ? Long.MAX_VALUE : rollCycle.toSequenceNumber(acked) + 1;
    }
}
