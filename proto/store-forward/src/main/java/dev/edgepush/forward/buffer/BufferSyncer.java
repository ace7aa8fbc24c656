package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a {@link DiskBuffer}'s appends durable.
 *
 * <p>Power loss ({@code -buffer.syncInterval}, {@code syncInterval}). {@code append} writes to
 * mapped memory only; the kernel writes it back when it likes. {@link #sync} makes it durable:
 * it calls {@code FileChannel.force(true)} (fsync: data and file size) on every cycle file
 * appended to since the previous sync (normally just the current one), then on {@code
 * metadata.cq4t}, then, when a cycle file was created since, on the {@code queue/} directory so
 * the new file's name survives. fsync on Linux writes back a file's dirty pages whichever
 * mapping dirtied them, so this covers Chronicle's excerpts and index pages alike (Chronicle's
 * own {@code ExcerptAppender.sync()} msyncs only the current mapped block up to the write
 * position, not the index). With {@code syncInterval} &gt; 0 a daemon thread calls {@link #sync}
 * every interval, and only when something was appended: an excerpt whose {@code append}
 * returned survives power loss once the next sync finished, so power loss loses at most about
 * one interval of scrapes (plus the sync's own duration). With {@code syncInterval} = 0 every
 * {@code append} calls {@link #sync} before it returns: a sample counts as accepted only when it
 * is on the device (slower: one fsync per scrape). {@code ack.pos} is fsynced on every write
 * ({@link AckFile}). Excerpts torn by power loss during write-back fail their checksum and are
 * counted as corrupt; a file left unreadable is handled at open ({@link BufferRecovery}).
 */
final class BufferSyncer {
    /** DiskBuffer's logger: these lines are the buffer's, as they always were. */
    private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);

    private final Path dir;
    private final IntFunction<Path> cycleFile;
    private final ScheduledExecutorService thread; // null when every append syncs
    /** The first and last cycle appended to since the last sync (guarded by this). */
    private int dirtyFromCycle = Integer.MAX_VALUE;

    private int dirtyToCycle = Integer.MIN_VALUE;
    private final Object syncLock = new Object();
    private int syncedCycle = Integer.MIN_VALUE; // cycle of syncChannel (guarded by syncLock)
    private FileChannel syncChannel; // the newest synced cycle file, kept open (guarded by syncLock)
    private final AtomicLong syncs = new AtomicLong();

    /**
     * @param dir the buffer directory ({@code queue/} inside it)
     * @param cycleFile the file of a cycle
     * @param intervalMs sync every this many ms from a daemon thread named {@code threadName}; 0:
     *     no thread, the buffer syncs in every append
     */
    BufferSyncer(Path dir, IntFunction<Path> cycleFile, long intervalMs, String threadName) {
        this.dir = dir;
        this.cycleFile = cycleFile;
        if (intervalMs > 0) {
            thread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
            thread.scheduleWithFixedDelay(this::syncQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        } else {
            thread = null;
        }
    }

    /** Notes an append to {@code cycle}: the next {@link #sync} forces its file. */
    synchronized void appended(int cycle) {
        dirtyFromCycle = Math.min(dirtyFromCycle, cycle);
        dirtyToCycle = Math.max(dirtyToCycle, cycle);
    }

    /** See {@link DiskBuffer#sync}. */
    void sync() throws IOException {
        int from;
        int to;
        synchronized (this) {
            from = dirtyFromCycle;
            to = dirtyToCycle;
            dirtyFromCycle = Integer.MAX_VALUE;
            dirtyToCycle = Integer.MIN_VALUE;
        }
        if (from > to) {
            return;
        }
        synchronized (syncLock) {
            boolean newFile = false;
            for (int cycle = from; cycle <= to; cycle++) {
                if (cycle == syncedCycle && syncChannel != null) {
                    syncChannel.force(true);
                    continue;
                }
                FileChannel ch;
                try {
                    ch = FileChannel.open(cycleFile.apply(cycle), StandardOpenOption.READ);
                } catch (NoSuchFileException e) {
                    continue; // a cycle that saw no append, or trimmed since
                }
                newFile = true;
                ch.force(true);
                if (cycle == to) {
                    if (syncChannel != null) {
                        syncChannel.close();
                    }
                    syncChannel = ch;
                    syncedCycle = cycle;
                } else {
                    ch.close();
                }
            }
            Path meta = dir.resolve("queue").resolve(SingleChronicleQueue.QUEUE_METADATA_FILE);
            try (FileChannel ch = FileChannel.open(meta, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (NoSuchFileException e) {
                // only before the first append
            }
            if (newFile) {
                AckFile.forceDirectory(dir.resolve("queue"));
            }
            syncs.incrementAndGet();
        }
    }

    void syncQuietly() {
        try {
            sync();
        } catch (IOException | RuntimeException e) {
            log.warn("cannot sync the buffer {} to disk: {}", dir, e.toString());
        }
    }

    long syncsTotal() {
        return syncs.get();
    }

    /** Stops the sync thread, waiting up to 10 s for a sync in progress. */
    void stopThread() {
        if (thread != null) {
            thread.shutdown();
            try {
                thread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the kept-open file of the newest synced cycle. */
    void closeChannel() {
        synchronized (syncLock) {
            if (syncChannel != null) {
                try {
                    syncChannel.close();
                } catch (IOException e) {
                    // closing a read-only channel: nothing to lose
                }
                syncChannel = null;
            }
        }
    }
}
