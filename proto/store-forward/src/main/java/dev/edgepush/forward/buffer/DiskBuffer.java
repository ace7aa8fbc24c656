package dev.edgepush.forward.buffer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntFunction;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.rollcycles.LegacyRollCycles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk buffer of store and forward (edge-agent's buffer, central-ingest's WAL): every scrape
 * (or push) is written here before anything is sent, and stays until the remote has acknowledged
 * it.
 *
 * <p>Layout of the directory: {@code queue/} holds Chronicle Queue cycle files (one per
 * minute that saw a write); {@code ack.pos} holds the acknowledged position (see {@link
 * AckFile}). One excerpt per scrape (several for a large one, see below), laid out as {@link
 * RecordFormat} describes.
 *
 * <p>Large requests are split between series, a series too large even alone is dropped as
 * too_large, and an excerpt that cannot be written (a full disk) is dropped as disk_full: see
 * {@link ExcerptWriter}.
 *
 * <p>Guarantees. {@link #append} is thread-safe and returns only once its excerpts are in the
 * queue's mapped file: a sample counts as accepted then. A {@code kill -9} after that loses
 * nothing (the page cache survives the process); a half-written excerpt is never visible to
 * readers and is overwritten by the next writer (Chronicle's document header is written
 * last). Reading ({@link #reader}) is for one thread, the sender. The acknowledged position only
 * moves forward through {@link #ack}, after the remote answered for everything up to it. A
 * damaged excerpt (bad version, length or checksum, or a payload that does not decode to the
 * header's uncompressed length, see {@link RecordFormat}) is skipped and its samples counted as
 * corrupt; damaged files are handled at open as {@link BufferRecovery} describes (the steps of
 * opening, in order: {@link BufferOpener}).
 *
 * <p>Power loss ({@code -buffer.syncInterval}, {@code syncInterval}): {@code append} writes to
 * mapped memory only; {@link #sync} makes it durable, from a daemon thread every interval or,
 * with an interval of 0, in every {@code append} before it returns ({@link BufferSyncer}).
 *
 * <p>Delivered files are deleted and the disk cap ({@code -remoteWrite.maxDiskUsagePerURL},
 * {@code maxDiskBytes}, 0 = unlimited) applied by {@link #enforceCap}, the once-a-second
 * housekeeping; a trim that drops unsent data invalidates the sender's batch through {@link
 * #trimGeneration}: see {@link BufferTrim}.
 */
public final class DiskBuffer implements Closeable, SampleAppender {
    /**
     * The largest top-level field of a WriteRequest (one TimeSeries, with its tag and length
     * prefix) that {@link #append} always stores: pieces are cut between fields, so a field no
     * longer than a piece is never too_large. A receiver that checks this before answering 2xx
     * never acknowledges a series that would then be dropped.
     */
    public static final int MAX_STORED_FIELD_BYTES = RecordFormat.PIECE_LIMIT_BYTES;
    /** The sync interval when none is given: a power cut loses at most about this much (README, "Power loss"). */
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);
    /** The sync thread's name when the opener gives none. */
    static final String DEFAULT_SYNC_THREAD_NAME = "disk-buffer-sync";

    private final Path dir;
    private final SingleChronicleQueue queue;
    /** Damage not countable in samples, found at open (see {@link DamageCount}). */
    private final DamageCount damage;

    private final long maxDiskBytes;
    private final long syncIntervalMs;
    private final BufferSyncer syncer;
    /** The acknowledged position and the counts that move with it. */
    private final AckPosition position;

    private final BufferTrim trim;
    private final ExcerptWriter writer;
    private final BufferEpoch epoch;
    private final BufferLanes lanes = new BufferLanes(this);
    /** The file of a cycle of this buffer's queue. */
    private final IntFunction<Path> cycleFile;

    /** Opened by {@link BufferOpener}. */
    DiskBuffer(
            Path dir,
            SingleChronicleQueue queue,
            AckFile ackFile,
            AckState ackState,
            long maxDiskBytes,
            Duration syncInterval,
            String syncThreadName,
            DamageCount damage,
            BufferEpoch epoch)
            throws IOException {
        this.dir = dir;
        this.epoch = epoch;
        this.damage = damage;
        this.queue = queue;
        this.position = new AckPosition(ackFile, ackState);
        this.maxDiskBytes = Math.max(0, maxDiskBytes);
        this.syncIntervalMs = Math.max(0, syncInterval.toMillis());
        Path queueDir = dir.resolve("queue");
        RollCycle rollCycle = queue.rollCycle();
        long queueEpoch = queue.epoch();
        this.cycleFile = c -> QueueFiles.cycleFile(queueDir, rollCycle, queueEpoch, c);
        this.syncer = new BufferSyncer(dir, cycleFile, syncIntervalMs, syncThreadName);
        this.writer = new ExcerptWriter(dir, queue, position, syncer, syncIntervalMs == 0, epoch.firstSeq());
        this.trim = new BufferTrim(dir, queue, position, this.maxDiskBytes, cycleFile);
    }

    /** Opens (or creates) the buffer in {@code dir} without a disk cap. */
    public static DiskBuffer open(Path dir) throws IOException {
        return open(dir, 0);
    }

    /**
     * Opens (or creates) the buffer in {@code dir}, resuming after the persisted ack, with a cap
     * of {@code maxDiskBytes} allocated bytes (0 = unlimited) and a sync every {@code
     * syncInterval} (0 = after every append; see the class comment).
     */
    public static DiskBuffer open(Path dir, long maxDiskBytes, Duration syncInterval) throws IOException {
        return open(dir, maxDiskBytes, syncInterval, DEFAULT_SYNC_THREAD_NAME);
    }

    /**
     * Like {@link #open(Path, long, Duration)}, naming the sync thread (each process names its
     * own: {@code edge-agent-buffer-sync}, {@code central-ingest-wal-sync}).
     */
    public static DiskBuffer open(Path dir, long maxDiskBytes, Duration syncInterval, String syncThreadName)
            throws IOException {
        return BufferOpener.open(
                dir,
                maxDiskBytes,
                syncInterval,
                LegacyRollCycles.MINUTELY,
                SystemTimeProvider.INSTANCE,
                syncThreadName);
    }

    /**
     * Opens (or creates) the buffer in {@code dir}, resuming after the persisted ack, with a cap
     * of {@code maxDiskBytes} allocated bytes (0 = unlimited; see the class comment).
     */
    public static DiskBuffer open(Path dir, long maxDiskBytes) throws IOException {
        return open(dir, maxDiskBytes, DEFAULT_SYNC_INTERVAL);
    }

    /**
     * Like {@link #open(Path, long)} with another roll cycle and clock. For tests, which roll
     * files every (fake) second; the daemons use one file per minute. A directory must
     * always be opened with the same roll cycle.
     */
    public static DiskBuffer open(Path dir, long maxDiskBytes, RollCycle rollCycle, TimeProvider clock)
            throws IOException {
        return open(dir, maxDiskBytes, DEFAULT_SYNC_INTERVAL, rollCycle, clock);
    }

    /**
     * The general form: another roll cycle and clock (tests roll files every fake second; the
     * daemons use one file per minute: the disk cap deletes whole old files, so small files keep
     * the cap tight on a robot's small disk). A directory must always be opened with the same
     * roll cycle.
     */
    public static DiskBuffer open(
            Path dir, long maxDiskBytes, Duration syncInterval, RollCycle rollCycle, TimeProvider clock)
            throws IOException {
        return BufferOpener.open(dir, maxDiskBytes, syncInterval, rollCycle, clock, DEFAULT_SYNC_THREAD_NAME);
    }

    /** Counts the samples left unacknowledged before the restart (see {@link BufferOpener}). */
    void countPendingAtOpen() {
        long samples = 0;
        try (BufferReader reader = reader()) {
            BufferReader.Record r = new BufferReader.Record();
            while (reader.nextHeader(r)) {
                samples += r.sampleCount;
            }
        }
        position.pendingSamples.set(samples);
        if (samples > 0) {
            log.info("buffer {} holds {} unsent samples from before the restart", dir, samples);
        }
    }

    /**
     * Writes {@code sampleCount} samples encoded as a remote-write WriteRequest in {@code
     * writeRequest[0, length)}: one excerpt, or several when it is longer than {@link
     * RecordFormat#PIECE_LIMIT_BYTES} (see {@link ExcerptWriter}). Returns the queue index of the (last) excerpt
     * written; -1 when an excerpt could not be written (full disk: its samples are counted as
     * disk_full); 0 when nothing was written because every piece was too large (counted as
     * too_large). Compression and the checksum run in the calling thread before the buffer's lock
     * is taken, so appends from several threads compress in parallel; only the free-space check,
     * the Chronicle write and its bookkeeping are serialized, per excerpt.
     */
    @Override
    public long append(byte[] writeRequest, int length, int sampleCount, long timestampMs) throws IOException {
        return writer.append(writeRequest, length, sampleCount, timestampMs);
    }

    /**
     * The buffer's epoch id: 16 hex digits, random, kept in the directory's {@code epoch} file;
     * a new one when the buffer is new or wiped, or its numbering could not be continued ({@link BufferEpoch}).
     */
    public String epoch() {
        return epoch.id();
    }

    /**
     * The sequence number the next excerpt will get: excerpts {@code 0 .. nextSeq() - 1} of
     * {@link #epoch} were written (see {@link BufferEpoch}).
     */
    public long nextSeq() {
        return writer.nextSeq();
    }

    /**
     * The lowest sequence number of {@link #epoch} the buffer still holds undelivered: that of the
     * first excerpt not acknowledged (after the acknowledged index, skipping the live lane's
     * acknowledged range while split: the backfill lane's next excerpt, or the live lane's when the
     * backfill holds none), or {@link #nextSeq} when every excerpt was delivered. Numbers below it
     * were delivered or dropped here (a disk cap trim moves the acknowledged index past the
     * excerpts it deleted, which it counted as disk_full; a damaged excerpt is skipped and counted
     * as corrupt); numbers from it on are still here or not yet written. It never decreases within
     * an epoch. -1 when it cannot be told: the first undelivered excerpt has no sequence number
     * (written before they existed) or one above {@link #nextSeq} (from an epoch before a restart
     * that started a new one), or reading it failed. Limit: an undelivered excerpt of an older
     * epoch whose number is below {@link #nextSeq} is taken as this epoch's. Reads one excerpt
     * header; any thread.
     */
    public long undeliveredFromSeq() {
        long next = nextSeq(); // first: an excerpt appended meanwhile gets this number or a higher one
        BufferReader.Record r = new BufferReader.Record(0);
        try (BufferReader reader = reader()) {
            if (!reader.nextHeader(r)) {
                return next;
            }
        } catch (RuntimeException e) {
            return -1;
        }
        return r.seq >= 0 && r.seq <= next ? r.seq : -1;
    }

    /** Why appends fail right now ("buffer disk full"), or null while the buffer is writable. */
    public String appendFailure() {
        return writer.appendFailure();
    }

    /**
     * For tests: makes every append fail with {@code failure} as a full disk would (null: stop).
     * The failure travels the same path as a real one (state, log, disk_full count).
     */
    public void injectAppendFailure(IOException failure) {
        writer.injectAppendFailure(failure);
    }

    /**
     * Makes what was appended so far durable (see {@link BufferSyncer} for which files and calls).
     * Called by the sync thread every {@code syncInterval}, or by {@link #append} when it is 0.
     * Does nothing when nothing was appended since the last sync.
     */
    public void sync() throws IOException {
        syncer.sync();
    }

    /** How many times {@link #sync} forced files to disk. */
    public long syncsTotal() {
        return syncer.syncsTotal();
    }

    /** The sync interval in ms; 0 = every append syncs. */
    public long syncIntervalMs() {
        return syncIntervalMs;
    }

    /**
     * A reader of everything pending: positioned right after the acknowledged excerpt, skipping
     * the live lane's acknowledged range while a split exists ({@link #lanes}). For one thread.
     */
    public BufferReader reader() {
        BufferReader r = BufferReader.open(queue, position.acked(), this);
        long split = position.split();
        return split >= 0 ? r.skip(split, position.liveAcked()) : r;
    }

    /** The lanes of fresh-first delivery: the split, its readers and acknowledgements. */
    public BufferLanes lanes() {
        return lanes;
    }

    SingleChronicleQueue queue() {
        return queue;
    }

    AckPosition position() {
        return position;
    }

    /** The first existing cycle at or after {@code cycle}, or Integer.MIN_VALUE when none. */
    int nextCycleFrom(int cycle) {
        return QueueFiles.nextCycleFrom(queue, cycle);
    }

    /** The newest cycle with a file, or Integer.MIN_VALUE. */
    int lastCycle() {
        return queue.lastCycle();
    }

    /** Logs a damaged cycle once per process. */
    void damagedCycle(int cycle, int next, String what) {
        if (!damage.firstReportOf(cycle)) {
            return;
        }
        log.error(
                "buffer file {} is damaged ({}): skipping the rest of it, continuing with {}",
                cycleFile.apply(cycle).getFileName(),
                what,
                cycleFile.apply(next).getFileName());
    }

    /**
     * Marks everything up to and including {@code index} as done ({@code samples} of them) and
     * persists the position, for a batch read at the current {@link #trimGeneration}. See {@link
     * #ack(long, long, long)}.
     */
    public boolean ack(long index, long samples) throws IOException {
        return ack(index, samples, position.generation());
    }

    /**
     * Marks everything up to and including {@code index} as done ({@code samples} of them) and
     * persists the position; while a split exists, only in the lane {@code index} is in (up to it
     * from A below the split, from L at or after it; see {@link BufferLanes}). Called by the sender after a 2xx (or a permanent rejection) for a
     * batch read by a reader created at trim generation {@code generation}.
     *
     * <p>Returns false, and changes nothing, when a trim happened since (the batch was
     * invalidated: its samples in deleted files were counted as disk_full, the others will be
     * read again) or when {@code index} is not ahead of the acknowledged position. The caller
     * counts the batch as sent or rejected only when this returns true.
     */
    public boolean ack(long index, long samples, long generation) throws IOException {
        return position.ack(index, samples, generation);
    }

    /**
     * Counts a damaged excerpt once: a reader re-created after a trim may read it again, and an
     * excerpt already dropped by a trim (at or before the acknowledged position) was counted
     * there. {@code samples} -1: the excerpt's header does not tell its samples (a negative
     * count, another version, shorter than a header); it is counted in {@link
     * #corruptExcerptsTotal} instead.
     */
    void countCorrupt(long index, long samples, String what) {
        if (position.countCorrupt(index, Math.max(0, samples), what) && samples < 0) {
            damage.excerpts.incrementAndGet();
        }
    }

    /**
     * Generation of the trims that dropped unacknowledged excerpts: increases by one with each.
     * A reader's excerpts (and a batch built from them) are valid only while it is unchanged.
     */
    public long trimGeneration() {
        return position.generation();
    }

    /**
     * Tests: write format 3 once a sample has been pending {@code ms} by {@code clockMs} (0: always);
     * see {@link ExcerptWriter#dense}.
     */
    void denseAfter(long ms, java.util.function.LongSupplier clockMs) {
        writer.denseAfter(ms, clockMs);
    }

    /**
     * Off: every excerpt is written in format 2 (Snappy), never format 3 while the sender is behind
     * (central-ingest's WAL: its forwarding falls behind under load, when zstd's extra CPU would
     * cost most; its disk is not a robot's flash). On by default.
     */
    public void writeDenseWhenBehind(boolean on) {
        writer.denseAfter(
                on ? ExcerptWriter.DENSE_AFTER_MS : ExcerptWriter.NEVER_DENSE, () -> System.nanoTime() / 1_000_000);
    }

    /** Samples dropped unsent because the disk cap deleted their file (reason="disk_full"). */
    public long diskFullSamplesTotal() {
        return position.diskFullSamples.get();
    }

    /**
     * Samples never written because a single series did not fit in an excerpt even compressed
     * (reason="too_large"; see {@link ExcerptWriter}).
     */
    public long tooLargeSamplesTotal() {
        return writer.tooLargeSamples();
    }

    /** The cap in allocated bytes, 0 = unlimited. */
    public long maxDiskBytes() {
        return maxDiskBytes;
    }

    /**
     * The buffer's housekeeping, called about once a second by its owner's scheduler (and once at
     * {@link #open}); safe from any thread. First deletes the cycle files whose every excerpt is
     * acknowledged, whatever the cap. Then, while disk use is over the cap, deletes files moved
     * aside as damaged ({@code *.corrupt-*}), then the oldest whole cycle files ({@link
     * BufferTrim}). Returns the number of files (or moved-aside directories) deleted.
     */
    public int enforceCap() throws IOException {
        return trim.enforceCap();
    }

    public long pendingSamples() {
        return Math.max(0, position.pendingSamples.get());
    }

    public long bufferedSamplesTotal() {
        return writer.bufferedTotal();
    }

    public long corruptSamplesTotal() {
        return position.corruptSamples.get();
    }

    /**
     * Unacknowledged excerpts lost to damage whose sample count could not be read, so they are not
     * in {@link #corruptSamplesTotal} (see {@link DamageCount}).
     */
    public long corruptExcerptsTotal() {
        return damage.excerpts.get();
    }

    /** Buffer files found damaged since open, including those with nothing countable left in them. */
    public long corruptFilesTotal() {
        return damage.files.get();
    }

    public Path directory() {
        return dir;
    }

    /** Blocks actually allocated on disk by the buffer (what {@code du} reports). */
    public long diskBytes() {
        return DiskUsage.allocatedBytes(dir);
    }

    /**
     * Stops the sync thread, syncs what is left (so a clean stop survives a power cut right
     * after it) and closes the queue.
     */
    @Override
    public void close() {
        if (writer.closed()) {
            return;
        }
        syncer.stopThread();
        writer.markClosed();
        syncer.syncQuietly();
        syncer.closeChannel();
        writer.close();
        queue.close();
    }
}
