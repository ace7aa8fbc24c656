package dev.edgepush.forward.send;

import dev.edgepush.forward.buffer.BufferLanes;
import dev.edgepush.forward.buffer.DiskBuffer;
import java.io.IOException;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Sender}'s lanes: the one lane ({@link #live}, all of the buffer when it is not
 * split) and, while the buffer is split ({@link BufferLanes}), the backfill lane; which batch is
 * ready to push, when to split and when to merge (see the sender's "Lanes"). The sender's thread
 * only.
 */
final class SendLanes {
    /** The sender's logger: these lines are the sender's. */
    private static final Logger log = LoggerFactory.getLogger(Sender.class);

    private final DiskBuffer buffer;
    private final long flushIntervalMs;
    private final int maxBatchSamples;
    private final int maxBatchBytes;
    private final String remoteName;
    /** Where the timestamp of the oldest pending excerpt goes when a batch starts with it. */
    private final LongConsumer oldestPending;

    /** The one lane; while the buffer is split, the live lane. */
    final Lane live;
    /** The backfill lane while the buffer is split, else null. */
    Lane backfill;

    boolean freshFirst;

    SendLanes(
            DiskBuffer buffer,
            long flushIntervalMs,
            int maxBatchSamples,
            int maxBatchBytes,
            String remoteName,
            LongConsumer oldestPending) {
        this.buffer = buffer;
        this.flushIntervalMs = flushIntervalMs;
        this.maxBatchSamples = maxBatchSamples;
        this.maxBatchBytes = maxBatchBytes;
        this.remoteName = remoteName;
        this.oldestPending = oldestPending;
        this.live = new Lane("live", maxBatchBytes, maxBatchSamples);
    }

    /** Pending samples above which a delivered push splits the buffer: two full batches. */
    long splitThresholdSamples() {
        return 2L * maxBatchSamples;
    }

    /** Whether a trim invalidated what a lane read. */
    boolean trimmedSinceRead() {
        return trimmedSinceRead(live) || (backfill != null && trimmedSinceRead(backfill));
    }

    private boolean trimmedSinceRead(Lane lane) {
        return lane.reader != null && buffer.trimGeneration() != lane.readerGeneration;
    }

    /** Samples in the lanes' batches. */
    int batchSamples() {
        return live.batch.samples() + (backfill == null ? 0 : backfill.batch.samples());
    }

    boolean hasBatch() {
        return live.hasBatch() || (backfill != null && backfill.hasBatch());
    }

    /**
     * Whether the buffer is split; creates the backfill lane for a split found in the buffer (at a
     * restart, or after a trim discarded the lanes).
     */
    boolean split() {
        if (backfill == null && buffer.lanes().split() >= 0) {
            live.discard(); // its reader, if any, read from A: the live lane reads after L
            backfill = new Lane("backfill", maxBatchBytes, maxBatchSamples);
        }
        return backfill != null;
    }

    void openReader(Lane lane) {
        if (lane.reader == null) {
            lane.readerGeneration = buffer.trimGeneration(); // before reading: a later trim is noticed
            lane.reader = lane == backfill
                    ? buffer.lanes().backfillReader()
                    : buffer.lanes().liveReader();
        }
    }

    /**
     * While split: the lane whose batch goes now (a ready live batch first when fresh first, then
     * a ready backfill batch), or null when none is ready.
     */
    Lane ready(long now) {
        if (freshFirst) {
            if (live.batch.attempted()) {
                return live;
            }
            openReader(live);
            boolean full = live.fill(now, null);
            if (live.hasBatch() && (full || now - live.batch.openedAtMs() >= flushIntervalMs)) {
                return live;
            }
        }
        if (backfill.batch.attempted()) {
            return backfill;
        }
        openReader(backfill);
        boolean full = backfill.fill(now, oldestPending);
        if (backfill.hasBatch()
                && (full || backfill.reader.reachedLimit() || now - backfill.batch.openedAtMs() >= flushIntervalMs)) {
            return backfill;
        }
        return null;
    }

    /** When the backfill lane delivered all it had: merges the lanes and returns true. */
    boolean mergeIfDrained() throws IOException {
        if (!backfill.drained()) {
            return false;
        }
        if (buffer.lanes().merge(backfill.readerGeneration)) {
            log.info("remote {}: the backlog is delivered, one lane again", remoteName);
        }
        backfill.discard();
        backfill = null;
        return true; // the live lane goes on as the one lane
    }

    /** How long to wait while split and nothing is ready: until a batch's flush interval, at most the idle poll. */
    long waitMs(long now, long idlePollMs) {
        long wait = idlePollMs;
        for (Lane lane : new Lane[] {live, backfill}) {
            if (lane != null && lane.hasBatch()) {
                wait = Math.min(wait, Math.max(1, flushIntervalMs - (now - lane.batch.openedAtMs())));
            }
        }
        return wait;
    }

    /**
     * After a delivered push on the one lane: splits the buffer when fresh first and a backlog is
     * pending (see the sender's "Lanes"). {@code newestDeliveredMs}: the newest timestamp in the
     * batch just delivered.
     */
    void maybeSplit(long now, long newestDeliveredMs) throws IOException {
        if (!freshFirst
                || backfill != null
                || buffer.pendingSamples() <= splitThresholdSamples()
                || newestDeliveredMs >= now - 2 * flushIntervalMs) {
            return;
        }
        BufferLanes lanes = buffer.lanes();
        long first = lanes.liveStart(now - flushIntervalMs, maxBatchSamples);
        if (first < 0 || !lanes.start(first, live.readerGeneration)) {
            return;
        }
        log.info(
                "remote {}: a backlog of {} samples; sending new scrapes first on a live lane and the"
                        + " backlog oldest first with the bandwidth left",
                remoteName,
                buffer.pendingSamples());
        live.discard(); // the batch is empty (just acknowledged); the carried excerpt is read again
        backfill = new Lane("backfill", maxBatchBytes, maxBatchSamples);
    }

    /**
     * Drops both lanes' batches, carried excerpts (read again by new readers) and readers; the
     * backfill lane too (re-created from the buffer's split, which a trim may have ended).
     */
    void discardAll() {
        live.discard();
        if (backfill != null) {
            backfill.discard();
            backfill = null;
        }
    }

    void closeReaders() {
        live.closeReader();
        if (backfill != null) {
            backfill.closeReader();
        }
    }
}
