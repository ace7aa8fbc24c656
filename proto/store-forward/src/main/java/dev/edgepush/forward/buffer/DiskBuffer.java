package dev.edgepush.forward.buffer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.stream.Stream;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.core.values.TwoLongValue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.queue.rollcycles.LegacyRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

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
 * damaged excerpt (bad version, length or checksum, or a payload whose Snappy length preamble
 * is malformed or disagrees with the header's uncompressed length) is skipped and its samples counted as
 * corrupt; damaged files are handled at open as {@link BufferRecovery} describes.
 *
 * <p>Power loss ({@code -buffer.syncInterval}, {@code syncInterval}): {@code append} writes to
 * mapped memory only; {@link #sync} makes it durable, from a daemon thread every interval or,
 * with an interval of 0, in every {@code append} before it returns ({@link BufferSyncer}).
 *
 * <p>Delivered files. {@link #enforceCap} (the once-a-second housekeeping) first deletes every
 * cycle file before the one that holds the acknowledged position: all of it was delivered (or
 * counted as dropped). So with the remote reachable the buffer holds about the current and the
 * previous minute's file, whatever the cap; before, delivered data stayed until the cap removed
 * it, and with no cap it was never removed.
 *
 * <p>Disk cap ({@code -remoteWrite.maxDiskUsagePerURL}, {@code maxDiskBytes}, 0 = unlimited).
 * Disk use is what {@code du} reports for the whole directory (allocated blocks, {@link
 * DiskUsage}), never the apparent size of the sparse cycle files. {@link #enforceCap} is called
 * by its owner's scheduler about once a second (and once at {@link #open}); {@link #append}
 * does not call it, so the scrape path never reads or deletes files. When use is over the cap
 * it first deletes what {@link BufferRecovery} moved aside as damaged ({@code *.corrupt-*}:
 * nothing in it can still be sent), oldest first, then whole cycle files, oldest first, never
 * the newest one (the file being appended
 * to), until use is at or under the cap or only the newest file is left. Unacknowledged
 * samples in a deleted file are counted once in {@link #diskFullSamplesTotal} and leave
 * {@link #pendingSamples}; the acknowledged position is moved (and persisted) to the last
 * excerpt of the deleted file, so a restart neither looks for nor counts them again.
 *
 * <p>The guarantee, the "small documented margin": right after {@link #enforceCap}, disk use
 * is at most the cap plus the allocated size of one cycle file (the newest, which is never
 * deleted; at most a minute of scrapes) plus the small fixed files ({@code ack.pos}, the queue's
 * {@code metadata.cq4t}). Between two calls it can grow by what the scrapes of that interval
 * (about a second) write. A deleted file that a reader still has mapped frees its blocks when
 * the reader lets go of it (the sender re-creates its reader after a trim, see below).
 *
 * <p>Trim and sender. The sender is the only reader and may hold an in-memory batch read from
 * a file that a trim deletes. Every trim that moves the acknowledged position (that is, drops
 * unacknowledged excerpts) increments {@link #trimGeneration}. The sender notes the
 * generation when it creates its reader; when it changes, the sender discards its batch and
 * reader and reads again from the new acknowledged position, so excerpts in files that still
 * exist are read again and those in deleted files are gone (counted once, by the trim). {@link
 * #ack(long, long, long)} applies only an acknowledgement whose generation is current and
 * which moves the position forward. A batch whose push was in flight during such a trim is
 * therefore treated as not delivered: its samples from deleted files stay counted as
 * disk_full (the remote may in fact have them), the rest are sent again (at-least-once).
 */
public final class DiskBuffer implements Closeable, SampleAppender {
  /**
   * Chronicle's block size, in {@link #queueBuilder} (the queue and the salvage path alike): the
   * appender and the reader each keep a block plus its overlap (a quarter block) mapped, and
   * mapped pages count in the process's RSS. 1 MiB: the queue's mappings peaked at 3.2 MiB
   * resident (3.9 MiB mapped) instead of 11.7 MiB (15.5 MiB) with 4 MiB blocks, appending 3,000
   * requests of 84 kB and reading them back (/proc/self/smaps). A request of up to {@link
   * #PIECE_LIMIT_BYTES} (224 kB; 1,000 series of 4 samples take 168 kB) is still one excerpt.
   * Smaller blocks map less (512 KiB: about 2 MiB peak) but would split ordinary scrapes. Files
   * written with 4 MiB blocks, excerpts of up to 1 MiB included, read back unchanged
   * ({@code DiskBufferExcerptLimitTest}).
   */
  static final int BLOCK_SIZE = 1 << 20;
  /**
   * The largest excerpt (our header plus the Snappy block) Chronicle Queue 2026.4 takes with
   * {@link #BLOCK_SIZE}: a quarter of the block, its overlap size. Measured, not documented:
   * {@code DiskBufferExcerptLimitTest} writes excerpts of exactly this many bytes over several
   * blocks, and sees one byte more throw {@code DecoratedBufferOverflowException} ("write failed.
   * Length: N+1 &gt; writeRemaining: N") at any position in a block.
   */
  static final int MAX_EXCERPT_BYTES = BLOCK_SIZE / 4;
  /**
   * The largest uncompressed piece of a request stored as one excerpt: the largest {@code n}
   * with {@code Snappy.maxCompressedLength(n) + RecordFormat.HEADER_BYTES <= MAX_EXCERPT_BYTES}, Snappy's
   * worst case being {@code 32 + n + n / 6}. Requests up to this long are one excerpt whatever
   * their content; longer ones are split (see the class comment).
   */
  static final int PIECE_LIMIT_BYTES = pieceLimit(MAX_EXCERPT_BYTES - RecordFormat.HEADER_BYTES);
  /**
   * The largest top-level field of a WriteRequest (one TimeSeries, with its tag and length
   * prefix) that {@link #append} always stores: pieces are cut between fields, so a field no
   * longer than a piece is never too_large. A receiver that checks this before answering 2xx
   * never acknowledges a series that would then be dropped.
   */
  public static final int MAX_STORED_FIELD_BYTES = PIECE_LIMIT_BYTES;
  /** The sync interval when none is given: a power cut loses at most about this much (README, "Power loss"). */
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);
  /**
   * Free space an append leaves on the file system, besides its own bytes: Chronicle writes to
   * sparse mapped pages (and index pages), and a page that cannot get a block when first
   * touched is a SIGBUS, not an IOException. 8 MiB covers a new {@link #BLOCK_SIZE} block's
   * index pages and more; on a robot's disk it is noise.
   */
  static final long FREE_SPACE_MARGIN_BYTES = 8L << 20;
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

  private DiskBuffer(
      Path dir, SingleChronicleQueue queue, AckFile ackFile, long ackedIndex, long maxDiskBytes,
      Duration syncInterval, String syncThreadName, DamageCount damage) throws IOException {
    this.dir = dir;
    this.damage = damage;
    this.queue = queue;
    this.position = new AckPosition(ackFile, ackedIndex);
    this.maxDiskBytes = Math.max(0, maxDiskBytes);
    this.syncIntervalMs = Math.max(0, syncInterval.toMillis());
    Path queueDir = dir.resolve("queue");
    RollCycle rollCycle = queue.rollCycle();
    long epoch = queue.epoch();
    this.syncer = new BufferSyncer(dir, c -> cycleFile(queueDir, rollCycle, epoch, c), syncIntervalMs, syncThreadName);
    this.writer = new ExcerptWriter(dir, queue, position, syncer, syncIntervalMs == 0);
    this.trim = new BufferTrim(dir, queue, position, this.maxDiskBytes, c -> cycleFile(queueDir, rollCycle, epoch, c));
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
    return open(dir, maxDiskBytes, syncInterval, LegacyRollCycles.MINUTELY, SystemTimeProvider.INSTANCE,
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
    return open(dir, maxDiskBytes, syncInterval, rollCycle, clock, DEFAULT_SYNC_THREAD_NAME);
  }

  private static DiskBuffer open(
      Path dir, long maxDiskBytes, Duration syncInterval, RollCycle rollCycle, TimeProvider clock,
      String syncThreadName) throws IOException {
    Files.createDirectories(dir);
    AckFile ackFile = new AckFile(dir);
    long acked;
    try {
      acked = ackFile.read();
    } catch (AckFile.CorruptAckException e) {
      log.warn("{}; re-sending the whole buffer (at-least-once: duplicates, not loss)", e.getMessage());
      acked = -1;
    }
    Path queueDir = dir.resolve("queue");
    DamageCount damage = new DamageCount();
    damage.files.addAndGet(BufferRecovery.quarantineUnopenableCycleFiles(queueDir));
    SingleChronicleQueue queue = buildQueue(queueDir, rollCycle, clock, damage);
    long[] ackHolder = {acked};
    queue = CycleSalvage.salvageNewestCycleIfDamaged(queue, queueDir, ackFile, ackHolder, rollCycle, clock, damage);
    acked = ackHolder[0];
    DiskBuffer buffer;
    try {
      buffer = new DiskBuffer(dir, queue, ackFile, acked, maxDiskBytes, syncInterval, syncThreadName, damage);
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
      log.error("buffer {}: housekeeping (delivered files, disk cap) failed at open, will retry: {}", dir,
          e.toString());
    }
    return buffer;
  }

  static SingleChronicleQueue buildQueue(Path queueDir, RollCycle rollCycle, TimeProvider clock,
      DamageCount damage) throws IOException {
    return BufferRecovery.build(queueDir, () -> queueBuilder(queueDir, rollCycle, clock).build(), damage);
  }

  /** How every queue of a buffer directory is built: {@link #BLOCK_SIZE} blocks. */
  static SingleChronicleQueueBuilder queueBuilder(Path queueDir, RollCycle rollCycle, TimeProvider clock) {
    return SingleChronicleQueueBuilder.binary(queueDir)
        .rollCycle(rollCycle)
        .timeProvider(clock)
        .blockSize(BLOCK_SIZE);
  }

  /** The largest {@code n} with {@code 32 + n + n / 6 <= bytes} (Snappy's worst case). */
  static int pieceLimit(int bytes) {
    int n = (int) ((bytes - 32L) * 6 / 7);
    while (32L + (n + 1) + (n + 1) / 6 <= bytes) {
      n++;
    }
    while (32L + n + n / 6 > bytes) {
      n--;
    }
    return n;
  }

  private void countPendingAtOpen() {
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
   * #PIECE_LIMIT_BYTES} (see the class comment). Returns the queue index of the (last) excerpt
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
   * Makes what was appended so far durable (see the class comment for which files and calls).
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

  /** A reader positioned right after the acknowledged excerpt. For one thread. */
  public BufferReader reader() {
    ExcerptTailer tailer = queue.createTailer();
    long acked = position.acked();
    if (acked >= 0) {
      if (tailer.moveToIndex(acked)) {
        try (DocumentContext dc = tailer.readingDocument()) {
          // skip the acknowledged excerpt itself
          dc.isPresent();
        }
      } else {
        // The acknowledged excerpt is gone (its file trimmed by the disk cap, or moved aside as
        // damaged) or its index is damaged: start at the first file from its cycle on; the
        // reader skips anything at or before the acknowledged index.
        int next = nextCycleFrom(queue.rollCycle().toCycle(acked));
        if (next == Integer.MIN_VALUE || !tailer.moveToCycle(next)) {
          tailer.toStart();
        }
      }
    } else {
      tailer.toStart();
    }
    return new BufferReader(tailer, this, acked);
  }

  /** The first existing cycle at or after {@code cycle}, or Integer.MIN_VALUE when none. */
  int nextCycleFrom(int cycle) {
    int last = queue.lastCycle();
    if (last == Integer.MIN_VALUE || cycle > last) {
      return Integer.MIN_VALUE;
    }
    NavigableSet<Long> cycles = queue.listCyclesBetween(Math.max(cycle, queue.firstCycle()), last);
    return cycles.isEmpty() ? Integer.MIN_VALUE : (int) (long) cycles.first();
  }

  /** The newest cycle with a file, or Integer.MIN_VALUE. */
  int lastCycle() {
    return queue.lastCycle();
  }

  /** Logs a damaged cycle once per process. */
  void damagedCycle(int cycle, int next, String what) {
    synchronized (loggedDamagedCycles) {
      if (!loggedDamagedCycles.add(cycle)) {
        return;
      }
    }
    log.error("buffer file {} is damaged ({}): skipping the rest of it, continuing with {}",
        cycleFile(cycle).getFileName(), what, cycleFile(next).getFileName());
  }

  private final java.util.Set<Integer> loggedDamagedCycles = new java.util.HashSet<>();

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
   * persists the position. Called by the sender after a 2xx (or a permanent rejection) for a
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
   * there.
   */
  void countCorrupt(long index, long samples, String what) {
    position.countCorrupt(index, samples, what);
  }

  /**
   * Generation of the trims that dropped unacknowledged excerpts: increases by one with each.
   * A reader's excerpts (and a batch built from them) are valid only while it is unchanged.
   */
  public long trimGeneration() {
    return position.generation();
  }

  /** Samples dropped unsent because the disk cap deleted their file (reason="disk_full"). */
  public long diskFullSamplesTotal() {
    return position.diskFullSamples.get();
  }

  /**
   * Samples never written because a single series did not fit in an excerpt even compressed
   * (reason="too_large"; see the class comment).
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
   * acknowledged ({@link #deleteAcknowledged}), whatever the cap. Then, while disk use is over the
   * cap, deletes files moved aside as damaged ({@code *.corrupt-*}), then the oldest whole cycle
   * files (see the class comment). Returns the number of files (or moved-aside directories)
   * deleted.
   */
  public int enforceCap() throws IOException {
    return trim.enforceCap();
  }

  private Path cycleFile(int cycle) {
    return cycleFile(dir.resolve("queue"), queue.rollCycle(), queue.epoch(), cycle);
  }

  static Path cycleFile(Path queueDir, RollCycle rc, long epoch, int cycle) {
    String name =
        DateTimeFormatter.ofPattern(rc.format())
            .withZone(ZoneOffset.UTC)
            .format(Instant.ofEpochMilli(epoch + (long) cycle * rc.lengthInMillis()));
    return queueDir.resolve(name + SingleChronicleQueue.SUFFIX);
  }

  static String formatBytes(long bytes) {
    if (bytes % 1_000_000 == 0) {
      return bytes / 1_000_000 + " MB";
    }
    if (bytes >= 1_000_000) {
      return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
    return bytes + " bytes";
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
