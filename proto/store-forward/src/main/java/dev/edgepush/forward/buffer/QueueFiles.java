package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.NavigableSet;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/** How a buffer directory's Chronicle queue is built, and where its cycle files are. */
final class QueueFiles {
    private QueueFiles() {}

    /** Builds (or rebuilds after damage, see {@link BufferRecovery#build}) the queue in {@code queueDir}. */
    static SingleChronicleQueue buildQueue(Path queueDir, RollCycle rollCycle, TimeProvider clock, DamageCount damage)
            throws IOException {
        return BufferRecovery.build(
                queueDir, () -> queueBuilder(queueDir, rollCycle, clock).build(), damage);
    }

    /** How every queue of a buffer directory is built: {@link RecordFormat#BLOCK_SIZE} blocks. */
    static SingleChronicleQueueBuilder queueBuilder(Path queueDir, RollCycle rollCycle, TimeProvider clock) {
        return SingleChronicleQueueBuilder.binary(queueDir)
                .rollCycle(rollCycle)
                .timeProvider(clock)
                .blockSize(RecordFormat.BLOCK_SIZE);
    }

    /** The file of {@code cycle} in {@code queueDir}. */
    static Path cycleFile(Path queueDir, RollCycle rc, long epoch, int cycle) {
        String name = DateTimeFormatter.ofPattern(rc.format())
                .withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(epoch + (long) cycle * rc.lengthInMillis()));
        return queueDir.resolve(name + SingleChronicleQueue.SUFFIX);
    }

    /** The first existing cycle at or after {@code cycle}, or Integer.MIN_VALUE when none. */
    static int nextCycleFrom(SingleChronicleQueue queue, int cycle) {
        int last = queue.lastCycle();
        if (last == Integer.MIN_VALUE || cycle > last) {
            return Integer.MIN_VALUE;
        }
        NavigableSet<Long> cycles = queue.listCyclesBetween(Math.max(cycle, queue.firstCycle()), last);
        return cycles.isEmpty() ? Integer.MIN_VALUE : (int) (long) cycles.first();
    }

    /** A byte count for log lines: "5 MB", "1.5 MB", "300 bytes". */
    static String formatBytes(long bytes) {
        if (bytes % 1_000_000 == 0) {
            return bytes / 1_000_000 + " MB";
        }
        if (bytes >= 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return bytes + " bytes";
    }
}
