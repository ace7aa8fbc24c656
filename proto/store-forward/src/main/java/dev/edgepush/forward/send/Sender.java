package dev.edgepush.forward.send;

import dev.edgepush.forward.buffer.BufferReader;
import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.forward.buffer.SnappyConcat;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that pushes the disk buffer to the remote, in order (one lane: per-series
 * timestamp order on the wire).
 *
 * <p>A batch is excerpts joined back to back (serialized WriteRequests concatenate), built
 * compressed: the excerpts' Snappy blocks are joined into one block by {@link SnappyConcat},
 * with no decompression or recompression. It is ready to send when any of these holds: it
 * reached {@code maxBatchSamples} or {@code maxBatchBytes} (uncompressed, as the excerpts'
 * headers give them); the next excerpt would not fit; or it has waited {@code flushInterval}
 * since its first excerpt was read. The batch stays in memory, bounded by
 * those limits, until its push ends as {@link PushOutcome.Delivered} or {@link
 * PushOutcome.Rejected}; only then is the buffer acknowledged up to its last excerpt. A {@link
 * PushOutcome.Retry} sends the same bytes again after {@code Retry-After} or the backoff, so a
 * re-sent sample is identical.
 *
 * <p>Disk cap. When a trim of the buffer dropped unacknowledged excerpts ({@link
 * DiskBuffer#trimGeneration} changed since this sender created its reader), the next {@link
 * #runOnce} discards the in-memory batch (even one waiting for a retry; the retry time still
 * holds) and the reader, and reads again from the new acknowledged position: excerpts of the
 * batch from files that still exist are read again, those from deleted files were counted
 * once as disk_full by the trim. A batch whose push was in flight during such a trim is not
 * acknowledged and not counted as sent or rejected (see {@link DiskBuffer}).
 *
 * <p>Progress. While a backlog drains (more than {@link #progressThresholdSamples} pending:
 * ten full batches), a line at most every {@link #PROGRESS_INTERVAL_MS} says how many samples
 * are pending, the send rate and an estimate of the time left from the net drain rate (sent
 * minus newly scraped); see {@link Progress}.
 *
 * <p>{@link #runOnce} does one step and says how long to wait; tests step it with a fake clock.
 */
public final class Sender implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Sender.class);
    /** How often an idle sender looks for new excerpts: well under a flush interval. */
    private static final long IDLE_POLL_MS = 100;

    /**
     * At most one progress line per 30 s: often enough to see a multi-hour drain move, rare
     * enough that a day of draining logs under 3,000 lines.
     */
    static final long PROGRESS_INTERVAL_MS = 30_000;

    /**
     * One progress report while a backlog drains.
     *
     * @param pendingSamples samples buffered and not yet acknowledged
     * @param sentPerSecond samples acknowledged per second since the previous report
     * @param drainPerSecond how fast the backlog shrinks (sent minus newly buffered) per second
     * @param estimatedLeft pending / drain rate, or null when the backlog is not shrinking
     */
    public record Progress(long pendingSamples, double sentPerSecond, double drainPerSecond, Duration estimatedLeft) {
        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT,
                    "draining the buffer backlog: %d samples pending, sending %.0f samples/s, %s",
                    pendingSamples,
                    sentPerSecond,
                    estimatedLeft == null
                            ? "not shrinking (scrapes arrive as fast as they are sent)"
                            : "about " + formatDuration(estimatedLeft) + " left");
        }

        static String formatDuration(Duration d) {
            long s = d.toSeconds();
            return s >= 3600
                    ? String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                    : String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
    }

    /** Sends one WriteRequest; decides nothing about delivery itself. */
    public interface Transport {
        /**
         * Sends {@code body[offset, offset + length)}: a serialized WriteRequest already compressed
         * as one Snappy raw block, the request body as it goes on the wire.
         */
        PushOutcome push(byte[] body, int offset, int length);

        /** Compressed bytes of the last request, for {@link SendMetrics#requestBytes}. */
        long lastRequestBytes();
    }

    private final DiskBuffer buffer;
    private final Transport transport;
    private final Backoff backoff;

    /**
     * A network error (refused, reset, unreachable) cost the uplink next to nothing, and a central
     * that comes back should be found within seconds, not after a minute of backoff: such retries
     * wait 2.5 to 5 s at most. An HTTP 5xx, where the whole batch travelled, backs off to the full
     * cap; a Retry-After is always honoured as given.
     */
    static final Duration NETWORK_RETRY_MAX = Duration.ofSeconds(5);

    private final SendMetrics metrics;
    private final LongSupplier clockMs;
    private final long flushIntervalMs;
    private final int maxBatchSamples;
    private final int maxBatchBytes;
    private final String remoteName;

    private BufferReader reader;
    private long readerGeneration; // the buffer's trim generation when the reader was created
    private final BufferReader.Record record = new BufferReader.Record();
    private boolean carry; // record holds an excerpt read but not yet added to the batch
    /**
     * The batch's Snappy elements from {@link SnappyConcat#MAX_PREAMBLE_BYTES} to {@code
     * batchEnd}; the preamble is written in front of them when the batch is pushed.
     */
    private byte[] batch = new byte[64 * 1024];

    private int batchEnd = SnappyConcat.MAX_PREAMBLE_BYTES;
    private final int batchCapacityBound; // what a batch of maxBatchBytes can take, about
    private int batchBytes; // uncompressed
    private int batchSamples;
    private long batchLastIndex = -1;
    /**
     * The batch's excerpt sequence numbers as ranges: {@code [first0, last0, first1, last1, ...]},
     * {@code batchRangeCount} pairs (excerpts written before sequence numbers are left out).
     */
    private long[] batchRanges = new long[8];

    private int batchRangeCount;
    private long batchNewestTimestampMs;
    private long batchOpenedAtMs;
    private long retryAtMs;
    private boolean batchAttempted;
    private volatile boolean running = true;
    private final Object stopSignal = new Object();
    private volatile String lastError = "";
    private volatile long lastSuccessMs;
    private boolean unreachable;
    private long unreachableSinceMs;
    private final long progressThresholdSamples;
    private Consumer<Progress> progressListener = p -> log.info("{}", p);
    private long progressMarkMs = -1; // start of the current progress interval, -1 = not draining
    private long progressMarkSent;
    private long progressMarkPending;
    private long sentTotal;
    private RateLimiter rateLimiter; // -remoteWrite.rateLimit, or null

    public Sender(
            DiskBuffer buffer,
            Transport transport,
            Backoff backoff,
            SendMetrics metrics,
            LongSupplier clockMs,
            Duration flushInterval,
            int maxBatchSamples,
            int maxBatchBytes,
            String remoteName) {
        this.buffer = buffer;
        this.transport = transport;
        this.backoff = backoff;
        this.metrics = metrics;
        this.clockMs = clockMs;
        this.flushIntervalMs = flushInterval.toMillis();
        this.maxBatchSamples = maxBatchSamples;
        this.maxBatchBytes = maxBatchBytes;
        this.remoteName = remoteName;
        this.progressThresholdSamples = 10L * maxBatchSamples;
        // Snappy's worst case for maxBatchBytes (32 + n + n/6), plus the preamble.
        this.batchCapacityBound = (int) Math.min(
                Integer.MAX_VALUE - 8, SnappyConcat.MAX_PREAMBLE_BYTES + 32L + maxBatchBytes + maxBatchBytes / 6L);
    }

    /**
     * Limits the compressed bytes per second this sender puts on the wire ({@code
     * -remoteWrite.rateLimit}); null = no limit. A batch (first try or retry) waits for the bucket.
     */
    public void rateLimiter(RateLimiter limiter) {
        this.rateLimiter = limiter;
    }

    /** Where progress reports go (default: the log). For tests and the status page. */
    public void progressListener(Consumer<Progress> listener) {
        this.progressListener = listener;
    }

    /** Pending samples above which a drain is reported: ten full batches. */
    public long progressThresholdSamples() {
        return progressThresholdSamples;
    }

    private void reportProgress(long now) {
        long pending = buffer.pendingSamples();
        if (pending <= progressThresholdSamples) {
            progressMarkMs = -1;
            return;
        }
        if (progressMarkMs < 0) {
            progressMarkMs = now;
            progressMarkSent = sentTotal;
            progressMarkPending = pending;
            return;
        }
        long elapsed = now - progressMarkMs;
        if (elapsed < PROGRESS_INTERVAL_MS) {
            return;
        }
        double sentPerSecond = (sentTotal - progressMarkSent) * 1000.0 / elapsed;
        double drainPerSecond = (progressMarkPending - pending) * 1000.0 / elapsed;
        Duration left = drainPerSecond > 0 ? Duration.ofMillis((long) (pending / drainPerSecond * 1000)) : null;
        progressListener.accept(new Progress(pending, sentPerSecond, drainPerSecond, left));
        progressMarkMs = now;
        progressMarkSent = sentTotal;
        progressMarkPending = pending;
    }

    /** Does one step; returns how many ms to wait before the next. */
    public long runOnce() throws IOException {
        long now = clockMs.getAsLong();
        if (reader != null && buffer.trimGeneration() != readerGeneration) {
            if (batchSamples > 0 || batchLastIndex >= 0) {
                log.info(
                        "the disk cap trimmed the buffer: discarding the in-memory batch of {} samples"
                                + " and reading again from the acknowledged position",
                        batchSamples);
            }
            discardBatchAndReader();
        }
        if (retryAtMs > now) {
            return retryAtMs - now;
        }
        if (batchAttempted) {
            return push(now); // a retry sends the same bytes: nothing is added to a tried batch
        }
        if (reader == null) {
            readerGeneration = buffer.trimGeneration(); // before reading: a later trim is noticed
            reader = buffer.reader();
        }
        boolean full = fill(now);
        if (batchSamples == 0 && batchBytes == 0) {
            metrics.oldestPendingTimestampMs(0);
            return IDLE_POLL_MS;
        }
        long waited = now - batchOpenedAtMs;
        if (!full && waited < flushIntervalMs) {
            return Math.min(IDLE_POLL_MS, flushIntervalMs - waited);
        }
        return push(now);
    }

    /** Reads excerpts into the batch; returns true when the batch is full. */
    private boolean fill(long now) throws IOException {
        while (true) {
            if (!carry) {
                if (!reader.next(record)) {
                    return false;
                }
                carry = true;
            }
            boolean empty = batchBytes == 0 && batchSamples == 0 && batchLastIndex < 0;
            if (!empty
                    && (batchBytes + record.uncompressedLength > maxBatchBytes
                            || batchSamples + record.sampleCount > maxBatchSamples)) {
                return true;
            }
            if (empty) {
                batchOpenedAtMs = now;
                metrics.oldestPendingTimestampMs(record.timestampMs);
            }
            ensureCapacity(batchEnd + record.compressedLength());
            batchEnd += record.appendElementsTo(batch, batchEnd);
            batchBytes += record.uncompressedLength;
            batchSamples += record.sampleCount;
            batchLastIndex = record.index;
            addSeq(record.seq);
            batchNewestTimestampMs = Math.max(batchNewestTimestampMs, record.timestampMs);
            carry = false;
            if (batchBytes >= maxBatchBytes || batchSamples >= maxBatchSamples) {
                return true;
            }
        }
    }

    private long push(long now) throws IOException {
        if (rateLimiter != null) {
            long wait = rateLimiter.waitMs(now);
            if (wait > 0) {
                return wait; // the batch stays as it is; a batch not yet tried may still grow meanwhile
            }
        }
        batchAttempted = true;
        // Idempotent: a retry writes the same preamble at the same place.
        int start = SnappyConcat.writePreamble(batch, SnappyConcat.MAX_PREAMBLE_BYTES, batchBytes);
        PushOutcome outcome = transport.push(batch, start, batchEnd - start);
        metrics.requestBytes(transport.lastRequestBytes());
        if (rateLimiter != null) {
            rateLimiter.spent(transport.lastRequestBytes(), now);
        }
        if (outcome instanceof PushOutcome.Delivered d) {
            metrics.request(Integer.toString(d.code()));
            int samples = batchSamples;
            if (acknowledgeBatch()) {
                metrics.samplesSent(samples);
                sentTotal += samples;
                reportProgress(now);
            }
            lastSuccessMs = now;
            if (unreachable) {
                unreachable = false;
                log.info(
                        "remote {} reachable again after {} s; {} samples pending",
                        remoteName,
                        (now - unreachableSinceMs) / 1000,
                        buffer.pendingSamples());
            }
            backoff.reset();
            return 0;
        }
        if (outcome instanceof PushOutcome.Rejected r) {
            metrics.request(Integer.toString(r.code()));
            lastError = "HTTP " + r.code() + ": " + r.body();
            log.error(
                    "remote {} rejected a batch of {} samples with HTTP {} (will not retry, counted in {}): {}",
                    remoteName,
                    batchSamples,
                    r.code(),
                    metrics.rejectedCounter(),
                    r.body());
            int samples = batchSamples;
            if (acknowledgeBatch()) {
                metrics.samplesRejected(samples);
            }
            return 0;
        }
        if (outcome instanceof PushOutcome.Retry r) {
            metrics.request(r.code() > 0 ? Integer.toString(r.code()) : "error");
            Duration wait =
                    r.after() != null ? r.after() : r.code() == 0 ? backoff.next(NETWORK_RETRY_MAX) : backoff.next();
            lastError = r.reason();
            if (!unreachable) {
                unreachable = true;
                unreachableSinceMs = now;
                log.warn(
                        "remote {} unavailable ({}); keeping {} samples buffered and retrying with backoff",
                        remoteName,
                        r.reason(),
                        buffer.pendingSamples());
            }
            retryAtMs = now + wait.toMillis();
            return wait.toMillis();
        }
        throw new AssertionError(outcome);
    }

    /**
     * Acknowledges the batch in the buffer and empties it. Returns false when the buffer did not
     * take the acknowledgement (a disk cap trim invalidated the batch while it was pushed); then
     * the reader is dropped too, and what still exists is read again.
     */
    private boolean acknowledgeBatch() throws IOException {
        boolean applied = buffer.ack(batchLastIndex, batchSamples, readerGeneration);
        if (applied) {
            resetBatch();
        } else {
            discardBatchAndReader();
        }
        return applied;
    }

    private void addSeq(long seq) {
        if (seq < 0) {
            return;
        }
        if (batchRangeCount > 0 && batchRanges[2 * batchRangeCount - 1] == seq - 1) {
            batchRanges[2 * batchRangeCount - 1] = seq;
            return;
        }
        if (batchRanges.length < 2 * batchRangeCount + 2) {
            batchRanges = java.util.Arrays.copyOf(batchRanges, batchRanges.length * 2);
        }
        batchRanges[2 * batchRangeCount] = seq;
        batchRanges[2 * batchRangeCount + 1] = seq;
        batchRangeCount++;
    }

    /**
     * The sequence numbers of the batch being pushed, as {@code first-last} ranges joined by
     * commas ({@code "17-42"}; a batch that skipped a damaged excerpt has two), or null when it has
     * none (only excerpts written before sequence numbers). Called from the transport while it
     * pushes (the sender's thread); a retry gives the same string, the batch being unchanged.
     */
    public String batchSeqRanges() {
        if (batchRangeCount == 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder(24 * batchRangeCount);
        for (int i = 0; i < batchRangeCount; i++) {
            sb.append(i == 0 ? "" : ",").append(batchRanges[2 * i]).append('-').append(batchRanges[2 * i + 1]);
        }
        return sb.toString();
    }

    /** The buffer this sender reads. */
    public DiskBuffer buffer() {
        return buffer;
    }

    /** Samples in the batch being pushed (for the transport's headers, as {@link #batchSeqRanges}). */
    public int batchSamples() {
        return batchSamples;
    }

    /** The newest excerpt timestamp (ms) in the batch being pushed, 0 when empty. */
    public long batchNewestTimestampMs() {
        return batchNewestTimestampMs;
    }

    private void resetBatch() {
        batchRangeCount = 0;
        batchNewestTimestampMs = 0;
        batchEnd = SnappyConcat.MAX_PREAMBLE_BYTES;
        batchBytes = 0;
        batchSamples = 0;
        batchLastIndex = -1;
        batchAttempted = false;
    }

    private void discardBatchAndReader() {
        resetBatch();
        carry = false; // the carried excerpt came from the old reader: it is read again
        closeReader();
    }

    /**
     * Grows the batch array to at least {@code needed}: by half, but not past what a batch of
     * {@code maxBatchBytes} can need (only a single excerpt larger than that goes further).
     */
    private void ensureCapacity(int needed) {
        if (batch.length < needed) {
            int grown = (int) Math.min(batchCapacityBound, batch.length + (long) batch.length / 2);
            byte[] bigger = new byte[Math.max(needed, grown)];
            System.arraycopy(batch, 0, bigger, 0, batchEnd);
            batch = bigger;
        }
    }

    @Override
    public void run() {
        while (running) {
            long waitMs;
            try {
                waitMs = runOnce();
            } catch (IOException | RuntimeException e) {
                log.error("sender step failed; retrying in 1 s", e);
                waitMs = 1000;
            }
            if (waitMs > 0) {
                synchronized (stopSignal) {
                    if (!running) {
                        return;
                    }
                    try {
                        stopSignal.wait(Math.min(waitMs, 1000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /**
     * Makes {@link #run} return after the step it is in: a wait ends at once, a push in flight is
     * not interrupted (an interrupted push can reach the remote and still not be acknowledged,
     * which means a duplicate next start).
     */
    public void stop() {
        synchronized (stopSignal) {
            running = false;
            stopSignal.notifyAll();
        }
    }

    public void closeReader() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    public String lastError() {
        return lastError;
    }

    public long lastSuccessMs() {
        return lastSuccessMs;
    }

    public boolean unreachable() {
        return unreachable;
    }
}
