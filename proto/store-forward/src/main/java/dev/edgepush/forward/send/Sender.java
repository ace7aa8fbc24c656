package dev.edgepush.forward.send;

import dev.edgepush.forward.buffer.DiskBuffer;
import dev.edgepush.forward.buffer.SnappyConcat;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that pushes the disk buffer to the remote: in order on one lane (strict: per-series
 * timestamp order on the wire), or fresh first on two lanes (see "Lanes" below).
 *
 * <p>A batch ({@link Batch}) is excerpts joined back to back (serialized WriteRequests
 * concatenate), built compressed: the excerpts' Snappy blocks are joined into one block by {@link SnappyConcat},
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
 * minus newly scraped); see {@link Progress}, {@link DrainProgress}. The remote's state for the
 * status page and its log lines: {@link RemoteState}.
 *
 * <p>Lanes ({@link #freshFirst}, off unless the owner turns it on; edge-agent's {@code
 * -remoteWrite.freshFirst}). With no backlog there is one lane and everything above holds as is:
 * same batches, same bytes. When a push is delivered while a backlog is pending (more than {@link
 * #splitThresholdSamples}: two full batches, and the batch just delivered is older than two flush
 * intervals, as after an outage or on a link slower than the scrapes), the sender splits the
 * buffer ({@link dev.edgepush.forward.buffer.BufferLanes}): the excerpts stamped within the last
 * flush interval (at least the newest, at most a batch of samples) and everything written after
 * them form the live lane, everything older the backfill lane. Both lanes read from the disk buffer and are
 * acknowledged durably, each oldest first, so each keeps per-series timestamp order on its own;
 * a series' samples from the two lanes interleave on the wire (the receiver must accept
 * out-of-order samples within the backlog's age). One thread alternates: a live batch goes first
 * whenever it is ready (full or its flush interval waited), a backfill batch (full, or the
 * backfill's end reached) goes otherwise; both on the one connection, through the one rate limiter,
 * so under {@code -remoteWrite.rateLimit} or a slow link live data waits for at most one backfill
 * batch and the backlog gets the bandwidth left over. One thread is enough: the link, not the CPU,
 * limits a drain, and two threads would compete for it without giving live data priority. A push
 * that fails holds both lanes (the retry time is the sender's). A second outage while split does
 * not split again: the live lane accumulates its own backlog and sends it oldest first. When the
 * backfill lane has delivered all it had, the lanes merge and one lane goes on from the live lane's
 * position. Disk cap trims discard both lanes' batches and readers as above; a trim reaching the
 * live lane ends the split. A restart resumes both lanes from the ack file. With fresh-first off
 * (central-ingest; strict receivers) the sender never splits, and a split found in the buffer (left
 * by a fresh-first run) drains its backfill lane before the live lane, oldest first.
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
     * that comes back should be found within two 1 s scrape intervals (the newest data goes first
     * then): such retries wait 1 to 2 s (at 5 s, most of the 3 s from link-up to fresh data after a
     * 10-minute outage was this wait). HTTP 5xx backs off to the full cap; Retry-After is honoured.
     */
    static final Duration NETWORK_RETRY_MAX = Duration.ofSeconds(2);

    private final SendMetrics metrics;
    private final LongSupplier clockMs;
    private final long flushIntervalMs;
    private final String remoteName;

    private final SendLanes lanes;
    /** The lane whose batch is being pushed (for the transport's headers). */
    private Lane pushing;

    private long retryAtMs;
    private volatile boolean running = true;
    private boolean backfillRefusalExplained; // the fresh-first hint on a refusal, once

    private final Object stopSignal = new Object();
    private final RemoteState remote;
    private final DrainProgress progress;
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
        this.remoteName = remoteName;
        this.remote = new RemoteState(remoteName);
        this.lanes = new SendLanes(
                buffer, flushIntervalMs, maxBatchSamples, maxBatchBytes, remoteName, metrics::oldestPendingTimestampMs);
        this.pushing = lanes.live;
        this.progress = new DrainProgress(10L * maxBatchSamples, p -> log.info("{}", p));
    }

    /**
     * Limits the compressed bytes per second this sender puts on the wire ({@code
     * -remoteWrite.rateLimit}); null = no limit. A batch (first try or retry) waits for the bucket.
     */
    public void rateLimiter(RateLimiter limiter) {
        this.rateLimiter = limiter;
    }

    /** Sends fresh data first on a live lane while a backlog drains (see "Lanes"); off by default. */
    public void freshFirst(boolean on) {
        lanes.freshFirst = on;
    }

    /** Pending samples above which a delivered push splits the buffer: two full batches. */
    long splitThresholdSamples() {
        return lanes.splitThresholdSamples();
    }

    /** Where progress reports go (default: the log). For tests and the status page. */
    public void progressListener(Consumer<Progress> listener) {
        progress.listener(listener);
    }

    /** Pending samples above which a drain is reported: ten full batches. */
    public long progressThresholdSamples() {
        return progress.thresholdSamples();
    }

    /** Does one step; returns how many ms to wait before the next. */
    public long runOnce() throws IOException {
        long now = clockMs.getAsLong();
        if (lanes.trimmedSinceRead()) {
            if (lanes.hasBatch()) {
                log.info(
                        "the disk cap trimmed the buffer: discarding the in-memory batch of {} samples"
                                + " and reading again from the acknowledged position",
                        lanes.batchSamples());
            }
            lanes.discardAll();
        }
        if (retryAtMs > now) {
            return retryAtMs - now;
        }
        if (lanes.split()) {
            Lane lane = lanes.ready(now);
            if (lane != null) {
                return push(lane, now);
            }
            return lanes.mergeIfDrained() ? 0 : lanes.waitMs(now, IDLE_POLL_MS);
        }
        Lane live = lanes.live;
        if (live.batch.attempted()) {
            return push(live, now); // a retry sends the same bytes: nothing is added to a tried batch
        }
        lanes.openReader(live);
        boolean full = live.fill(now, metrics::oldestPendingTimestampMs);
        if (live.batch.samples() == 0 && live.batch.uncompressedBytes() == 0) {
            metrics.oldestPendingTimestampMs(0);
            return IDLE_POLL_MS;
        }
        long waited = now - live.batch.openedAtMs();
        if (!full && waited < flushIntervalMs) {
            return Math.min(IDLE_POLL_MS, flushIntervalMs - waited);
        }
        return push(live, now);
    }

    private long push(Lane lane, long now) throws IOException {
        Batch batch = lane.batch;
        if (rateLimiter != null) {
            long wait = rateLimiter.waitMs(now);
            if (wait > 0) {
                return wait; // the batch stays as it is; a batch not yet tried may still grow meanwhile
            }
        }
        batch.markAttempted();
        pushing = lane;
        int start = batch.writePreamble();
        PushOutcome outcome = transport.push(batch.array(), start, batch.end() - start);
        metrics.requestBytes(transport.lastRequestBytes());
        if (rateLimiter != null) {
            rateLimiter.spent(transport.lastRequestBytes(), now);
        }
        if (outcome instanceof PushOutcome.Delivered d) {
            metrics.request(Integer.toString(d.code()));
            int samples = batch.samples();
            long newestMs = batch.newestTimestampMs();
            if (acknowledgeBatch(lane)) {
                metrics.samplesSent(samples);
                progress.sent(samples, now, buffer.pendingSamples());
                if (lane == lanes.live) {
                    lanes.maybeSplit(now, newestMs);
                }
            }
            remote.delivered(now, buffer::pendingSamples);
            backoff.reset();
            return 0;
        }
        if (outcome instanceof PushOutcome.Rejected r) {
            metrics.request(Integer.toString(r.code()));
            remote.rejected("HTTP " + r.code() + ": " + r.body());
            log.error(
                    "remote {} rejected a batch of {} samples with HTTP {} (will not retry, counted in {}): {}",
                    remoteName,
                    batch.samples(),
                    r.code(),
                    metrics.rejectedCounter(),
                    r.body());
            if (lane == lanes.backfill && !backfillRefusalExplained) {
                backfillRefusalExplained = true;
                log.warn(
                        "the refused batch was backlog sent after newer data (fresh-first delivery): a remote that"
                                + " refuses out-of-order samples (Prometheus without an out-of-order window) needs"
                                + " -remoteWrite.freshFirst=false for {}",
                        remoteName);
            }
            int samples = batch.samples();
            if (acknowledgeBatch(lane)) {
                metrics.samplesRejected(samples);
            }
            return 0;
        }
        if (outcome instanceof PushOutcome.Retry r) {
            metrics.request(r.code() > 0 ? Integer.toString(r.code()) : "error");
            Duration wait =
                    r.after() != null ? r.after() : r.code() == 0 ? backoff.next(NETWORK_RETRY_MAX) : backoff.next();
            remote.retrying(r.reason(), now, buffer::pendingSamples);
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
    private boolean acknowledgeBatch(Lane lane) throws IOException {
        Batch batch = lane.batch;
        boolean applied = buffer.ack(batch.lastIndex(), batch.samples(), lane.readerGeneration);
        if (applied) {
            batch.reset();
        } else {
            lanes.discardAll();
        }
        return applied;
    }

    /**
     * The sequence numbers of the batch being pushed, as {@code first-last} ranges joined by
     * commas ({@code "17-42"}; a batch that skipped a damaged excerpt has two), or null when it has
     * none (only excerpts written before sequence numbers). Called from the transport while it
     * pushes (the sender's thread); a retry gives the same string, the batch being unchanged.
     */
    public String batchSeqRanges() {
        return pushing.batch.seqRanges();
    }

    /** The buffer this sender reads. */
    public DiskBuffer buffer() {
        return buffer;
    }

    /** Samples in the batch being pushed (for the transport's headers, as {@link #batchSeqRanges}). */
    public int batchSamples() {
        return pushing.batch.samples();
    }

    /** The newest excerpt timestamp (ms) in the batch being pushed, 0 when empty. */
    public long batchNewestTimestampMs() {
        return pushing.batch.newestTimestampMs();
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
        lanes.closeReaders();
    }

    public String lastError() {
        return remote.lastError();
    }

    public long lastSuccessMs() {
        return remote.lastSuccessMs();
    }

    public boolean unreachable() {
        return remote.unreachable();
    }
}
