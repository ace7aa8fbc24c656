package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append side of a {@link DiskBuffer}: compresses a request (split into pieces when large)
 * and writes one excerpt per piece ({@link RecordFormat}: format 2, Snappy, while the sender keeps
 * up; format 3, zstd, while it is behind, see {@link #dense}).
 *
 * <p>Large requests. Chronicle takes an excerpt of at most {@link RecordFormat#MAX_EXCERPT_BYTES} (a
 * quarter of its {@link RecordFormat#BLOCK_SIZE} block; more throws). A request of up to {@link
 * RecordFormat#PIECE_LIMIT_BYTES} uncompressed (Snappy's worst case for it plus the header fits) is one
 * excerpt, as it always was. A longer one is split into pieces of at most that many bytes, cut
 * only between top-level fields (whole TimeSeries, whole metadata entries; see {@link
 * WriteRequestPieces}), so each piece is a valid WriteRequest and the pieces joined again, as the
 * sender joins excerpts, are the original request. Each piece is one excerpt, written in order
 * with the request's timestamp; its header counts the samples and histograms in it, except that
 * the counts never exceed the caller's {@code sampleCount} and the last piece takes whatever is
 * left of it: the excerpts of a request add up to its {@code sampleCount} exactly. A single
 * field longer than a piece is written alone if it compresses to an excerpt; if not, it is
 * dropped and its samples counted in {@link DiskBuffer#tooLargeSamplesTotal} (reason="too_large"), never as
 * disk_full. The first such drop logs "buffer ...: dropping ... too_large" and nothing more is
 * logged until a later large request is stored without a drop ("large requests fit again"). A
 * request that cannot be walked as protobuf is cut before the unreadable field, and that field
 * with the rest of the request is one piece (stored if it compresses to an excerpt, too_large if
 * not). The pieces are written one by one, not atomically: {@code append} returns once all are
 * written, so a {@code kill -9} between two pieces leaves the first part of the request stored
 * and the rest lost; that rest was never acknowledged to the caller, it is the scrape (or push)
 * in flight, whose loss {@code kill -9} already allowed. Pieces of appends from two threads at
 * once may interleave in the queue, each piece whole; the order of concurrent appends was never
 * defined.
 *
 * <p>Full disk. An excerpt that cannot be written (the file system is full, or has less free
 * space than the excerpt plus {@link #FREE_SPACE_MARGIN_BYTES} so that writing to sparse mapped
 * pages could fault, or Chronicle throws; never for its size, see above) is not written, its
 * samples are counted in {@link DiskBuffer#diskFullSamplesTotal} (reason="disk_full") and {@code append}
 * returns -1 (the other pieces of a large request are written if they can be). The first
 * failure logs "buffer disk full: ..." and {@link #appendFailure} says why until an append
 * succeeds again, which logs "buffer writable again".
 */
final class ExcerptWriter {
    /** DiskBuffer's logger: these lines are the buffer's, as they always were. */
    private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);
    /**
     * Free space an append leaves on the file system, besides its own bytes: Chronicle writes to
     * sparse mapped pages (and index pages), and a page that cannot get a block when first
     * touched is a SIGBUS, not an IOException. 8 MiB covers a new {@link RecordFormat#BLOCK_SIZE} block's
     * index pages and more; on a robot's disk it is noise.
     */
    static final long FREE_SPACE_MARGIN_BYTES = 8L << 20;
    /**
     * Each appending thread's compression scratch, shared by every buffer it appends to (central
     * ingest appends to one buffer per destination from each event loop).
     */
    private static final ThreadLocal<RecordFormat.Compressor> SCRATCH =
            ThreadLocal.withInitial(RecordFormat.Compressor::new);

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final FileStore fileStore;
    private final AckPosition position;
    private final BufferSyncer syncer;
    private final boolean syncEveryAppend;
    private final AtomicLong bufferedTotal = new AtomicLong();
    private final AtomicLong tooLargeSamples = new AtomicLong();
    /** tooLargeSamples when the current too_large state began, or -1 outside it (guarded by itself). */
    private final AtomicLong tooLargeSince = new AtomicLong(-1);

    /**
     * The sender counts as behind ({@link #dense}) once a sample pending this long: three flush
     * intervals of the default 1 s, so an agent that keeps up never gets there, and a 10-minute
     * outage is buffered in format 3 for all but its first 3 s.
     */
    static final long DENSE_AFTER_MS = 3_000;

    /** {@link #denseAfterMs} that turns format 3 off. */
    static final long NEVER_DENSE = Long.MAX_VALUE;

    private volatile long denseAfterMs = DENSE_AFTER_MS;
    private volatile LongSupplier clockMs = () -> System.nanoTime() / 1_000_000;
    /**
     * When (clockMs) and at which {@link #bufferedTotal} appends were seen, at most one a second,
     * the last 8 (so at least 7 s back while appends come every second); guarded by itself.
     */
    private final long[] appendedAtMs = new long[8];

    private final long[] appendedTotals = new long[8];
    private int nextRecord;
    private long lastRecordedSecond = Long.MIN_VALUE;

    private volatile String appendFailure; // why appends fail, null while writable
    private long appendFailingSinceMs;
    private long droppedWhileFailing;
    private volatile IOException injectedAppendFailure;
    private volatile boolean closed;
    /** The sequence number of the next excerpt written (guarded by this; see {@link BufferEpoch}). */
    private volatile long nextSeq;

    ExcerptWriter(
            Path dir,
            SingleChronicleQueue queue,
            AckPosition position,
            BufferSyncer syncer,
            boolean syncEveryAppend,
            long firstSeq)
            throws IOException {
        this.dir = dir;
        this.nextSeq = firstSeq;
        this.queue = queue;
        this.position = position;
        this.syncer = syncer;
        this.syncEveryAppend = syncEveryAppend;
        this.fileStore = Files.getFileStore(dir);
        this.appender = queue.createAppender();
        // append() writes under the writer's lock, so any thread may append (central-ingest appends
        // from every event loop); Chronicle would otherwise bind the appender to the first thread
        // that used it.
        this.appender.singleThreadedCheckDisabled(true);
        java.util.Arrays.fill(appendedAtMs, Long.MIN_VALUE);
    }

    /** See {@link DiskBuffer#append}. */
    long append(byte[] writeRequest, int length, int sampleCount, long timestampMs) throws IOException {
        if (closed) {
            throw new IllegalStateException("the buffer " + dir + " is closed");
        }
        if (length > RecordFormat.PIECE_LIMIT_BYTES) {
            return appendPieces(writeRequest, length, sampleCount, timestampMs);
        }
        RecordFormat.Compressor c = SCRATCH.get();
        c.compress(writeRequest, 0, length, dense());
        return write(
                c.version(), c.output(), c.length(), c.checksum(), length, sampleCount, timestampMs, syncEveryAppend);
    }

    /**
     * {@link #append} of a request longer than {@link RecordFormat#PIECE_LIMIT_BYTES}: one excerpt per piece
     * ({@link WriteRequestPieces}), in order. Each piece is given the samples counted in it, as far
     * as the caller's {@code sampleCount} goes, and the last piece what is left of it, so the
     * excerpts' counts add up to {@code sampleCount} exactly.
     */
    private long appendPieces(byte[] writeRequest, int length, int sampleCount, long timestampMs) throws IOException {
        WriteRequestPieces pieces = WriteRequestPieces.of(writeRequest, length, RecordFormat.PIECE_LIMIT_BYTES);
        int left = Math.max(0, sampleCount);
        boolean dense = dense();
        long last = 0;
        boolean wrote = false;
        boolean failed = false;
        boolean dropped = false;
        for (int i = 0; i < pieces.count; i++) {
            int samples = i == pieces.count - 1 ? left : Math.min(pieces.samples[i], left);
            left -= samples;
            int from = pieces.start[i];
            int len = pieces.end[i] - from;
            RecordFormat.Compressor c = SCRATCH.get();
            c.compress(writeRequest, from, len, dense);
            int n = c.length();
            if (n
                    > RecordFormat.MAX_EXCERPT_BYTES
                            - RecordFormat.HEADER_BYTES) { // only a single field longer than a piece can be
                droppedTooLarge(len, n, samples);
                dropped = true;
                continue;
            }
            long index = write(c.version(), c.output(), n, c.checksum(), len, samples, timestampMs, false);
            if (index < 0) {
                failed = true;
            } else {
                last = index;
                wrote = true;
            }
        }
        if (!dropped) {
            long since = tooLargeSince.getAndSet(-1);
            if (since >= 0) {
                log.info(
                        "buffer {}: large requests fit again; {} samples were dropped meanwhile (too_large)",
                        dir,
                        tooLargeSamples.get() - since);
            }
        }
        if (wrote && syncEveryAppend) {
            synchronized (this) { // as write does: never after close
                if (!closed) {
                    syncer.sync();
                }
            }
        }
        return failed ? -1 : last;
    }

    /**
     * Whether the next excerpt is written dense (format 3, zstd) rather than in format 2 (Snappy):
     * when the sender is behind, i.e. some pending sample was appended more than {@link
     * #denseAfterMs} ago (more samples are pending than were appended since). Format 3 takes 2.5
     * times fewer bytes but costs the writer and the sender CPU (split, zstd both ways, a Snappy
     * batch), which buys nothing while each scrape is sent within the second and its file deleted
     * within the minute; so a keeping-up agent writes format 2, as it always did, and an agent
     * whose remote is down (or slow) writes format 3 from {@link #DENSE_AFTER_MS} into the outage
     * on. After a restart with a backlog, it writes format 3 until the backlog is sent. Either
     * format is complete on its own: the switch only changes what the next excerpt costs.
     */
    boolean dense() {
        long after = denseAfterMs;
        if (after <= 0) {
            return true;
        }
        if (after == NEVER_DENSE) {
            return false;
        }
        long now = clockMs.getAsLong();
        long total = bufferedTotal.get();
        long base = 0; // nothing old enough recorded (just opened): every pending sample is older
        synchronized (appendedAtMs) {
            long second = Math.floorDiv(now, 1000);
            if (second != lastRecordedSecond) {
                lastRecordedSecond = second;
                appendedAtMs[nextRecord] = now;
                appendedTotals[nextRecord] = total;
                nextRecord = (nextRecord + 1) % appendedAtMs.length;
            }
            long newest = Long.MIN_VALUE;
            for (int i = 0; i < appendedAtMs.length; i++) {
                long at = appendedAtMs[i];
                if (at != Long.MIN_VALUE && at <= now - after && at > newest) {
                    newest = at;
                    base = appendedTotals[i];
                }
            }
        }
        return position.pendingSamples.get() > total - base;
    }

    /** Sets {@link #denseAfterMs} (0: always format 3) and the clock {@link #dense} reads. */
    void denseAfter(long ms, LongSupplier clock) {
        synchronized (appendedAtMs) {
            java.util.Arrays.fill(appendedAtMs, Long.MIN_VALUE);
            lastRecordedSecond = Long.MIN_VALUE;
            clockMs = clock;
            denseAfterMs = ms;
        }
    }

    /** Counts a piece that does not fit in an excerpt even compressed; logs once per state. */
    private void droppedTooLarge(int bytes, int compressedBytes, int samples) {
        long before = tooLargeSamples.getAndAdd(samples);
        if (tooLargeSince.compareAndSet(-1, before)) {
            log.error(
                    "buffer {}: dropping {} samples: a single series (or an unparsable part) of a request, {} bytes,"
                            + " compresses to {} bytes, more than the {} an excerpt holds (requests are split only between series);"
                            + " counting such samples as too_large until a large request fits again",
                    dir,
                    samples,
                    bytes,
                    compressedBytes,
                    RecordFormat.MAX_EXCERPT_BYTES - RecordFormat.HEADER_BYTES);
        }
    }

    /**
     * The serialized part of {@link #append}: {@code compressed[0, n)} with its checksum, then a
     * {@link DiskBuffer#sync} if {@code syncNow}.
     */
    private synchronized long write(
            byte version,
            byte[] compressed,
            int n,
            int checksum,
            int length,
            int sampleCount,
            long timestampMs,
            boolean syncNow)
            throws IOException {
        if (closed) {
            throw new IllegalStateException("the buffer " + dir + " is closed");
        }
        long index;
        try {
            IOException injected = injectedAppendFailure;
            if (injected != null) {
                throw injected;
            }
            long usable = fileStore.getUsableSpace();
            if (usable < n + RecordFormat.HEADER_BYTES + FREE_SPACE_MARGIN_BYTES) {
                throw new IOException("No space left on device: " + usable + " bytes free on " + fileStore
                        + "; an excerpt of " + (n + RecordFormat.HEADER_BYTES) + " bytes is written only while "
                        + QueueFiles.formatBytes(FREE_SPACE_MARGIN_BYTES)
                        + " more stay free (writing to mapped pages of a"
                        + " full disk would crash the JVM with SIGBUS)");
            }
            try (DocumentContext dc = appender.writingDocument()) {
                try {
                    RecordFormat.write(
                            dc.wire().bytes(),
                            version,
                            sampleCount,
                            timestampMs,
                            length,
                            checksum,
                            compressed,
                            n,
                            nextSeq);
                    index = dc.index();
                } catch (RuntimeException | InternalError e) {
                    dc.rollbackOnClose(); // a half-written excerpt must not become visible
                    throw e;
                }
            }
        } catch (IOException | RuntimeException | InternalError e) {
            // InternalError: what the JVM makes of SIGBUS when a mapped page cannot get a block.
            appendFailed(e, sampleCount);
            return -1;
        }
        nextSeq++; // only once the excerpt is written: a failed write uses up no number
        position.pendingSamples.addAndGet(sampleCount);
        bufferedTotal.addAndGet(sampleCount);
        int cycle = queue.rollCycle().toCycle(index);
        syncer.appended(cycle);
        if (appendFailure != null) {
            log.info(
                    "buffer writable again after {} s; {} samples were dropped meanwhile (disk_full)",
                    (System.currentTimeMillis() - appendFailingSinceMs) / 1000,
                    droppedWhileFailing);
            appendFailure = null;
        }
        if (syncNow) {
            syncer.sync();
        }
        return index;
    }

    private void appendFailed(Throwable e, int sampleCount) {
        position.diskFullSamples.addAndGet(sampleCount);
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        if (appendFailure == null) {
            appendFailingSinceMs = System.currentTimeMillis();
            droppedWhileFailing = 0;
            log.error(
                    "buffer disk full: cannot write to {} ({}); dropping new scrapes and counting them as"
                            + " disk_full until it can write again",
                    dir,
                    why);
        }
        droppedWhileFailing += sampleCount;
        appendFailure = why;
    }

    long nextSeq() {
        return nextSeq;
    }

    String appendFailure() {
        return appendFailure;
    }

    void injectAppendFailure(IOException failure) {
        injectedAppendFailure = failure;
    }

    long bufferedTotal() {
        return bufferedTotal.get();
    }

    long tooLargeSamples() {
        return tooLargeSamples.get();
    }

    boolean closed() {
        return closed;
    }

    /** From now on appends throw; one in progress finishes first. */
    synchronized void markClosed() {
        closed = true;
    }

    void close() {
        appender.close();
    }
}
