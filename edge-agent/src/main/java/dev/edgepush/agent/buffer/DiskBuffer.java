package dev.edgepush.agent.buffer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LegacyRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xerial.snappy.Snappy;

/**
 * The agent's disk buffer: every scrape (or local push) is written here before anything is
 * sent, and stays until the remote has acknowledged it.
 *
 * <p>Layout of the directory: {@code queue/} holds Chronicle Queue cycle files (one per
 * minute that saw a write); {@code ack.pos} holds the acknowledged position (see {@link
 * AckFile}). One excerpt per scrape, little-endian:
 *
 * <pre>
 * | offset | width | field                                                         |
 * |--------|-------|---------------------------------------------------------------|
 * | 0      | 1     | format version, 1                                             |
 * | 1      | 4     | sample count                                                  |
 * | 5      | 8     | scrape timestamp, ms since the epoch (the oldest sample's age) |
 * | 13     | 4     | uncompressed payload length                                   |
 * | 17     | 4     | CRC32C of the compressed payload                              |
 * | 21     | 4     | compressed payload length n                                   |
 * | 25     | n     | Snappy block of a serialized remote-write 1.0 WriteRequest     |
 * </pre>
 *
 * <p>Serialized WriteRequests concatenate into one WriteRequest, so the sender builds a
 * batch by decompressing excerpts back to back, without decoding them.
 *
 * <p>Guarantees. {@link #append} is thread-safe and returns only once the excerpt is in the
 * queue's mapped file: a sample counts as accepted then. A {@code kill -9} after that loses
 * nothing (the page cache survives the process); a half-written excerpt is never visible to
 * readers and is overwritten by the next writer (Chronicle's document header is written
 * last). Power loss can lose what the kernel had not yet written back. Reading ({@link
 * #reader}) is for one thread, the sender. The acknowledged position only moves forward
 * through {@link #ack}, after the remote answered for everything up to it. A damaged
 * excerpt (bad version, length or checksum) is skipped and its samples counted as corrupt.
 *
 * <p>Disk cap ({@code -remoteWrite.maxDiskUsagePerURL}, {@code maxDiskBytes}, 0 = unlimited).
 * Disk use is what {@code du} reports for the whole directory (allocated blocks, {@link
 * DiskUsage}), never the apparent size of the sparse cycle files. {@link #enforceCap} is called
 * by the agent's scheduler about once a second (and once at {@link #open}); {@link #append}
 * does not call it, so the scrape path never reads or deletes files. When use is over the cap
 * it deletes whole cycle files, oldest first, never the newest one (the file being appended
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
public final class DiskBuffer implements Closeable {
  static final byte FORMAT_VERSION = 1;
  static final int HEADER_BYTES = 25;
  private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);

  private final Path dir;
  private final SingleChronicleQueue queue;
  private final AckFile ackFile;
  private final ExcerptAppender appender;
  private final CRC32C crc = new CRC32C();
  private byte[] compressed = new byte[64 * 1024];
  private final AtomicLong pendingSamples = new AtomicLong();
  private final AtomicLong bufferedTotal = new AtomicLong();
  private final AtomicLong corruptSamples = new AtomicLong();
  private final AtomicLong diskFullSamples = new AtomicLong();
  private final long maxDiskBytes;
  /**
   * Serializes what moves the acknowledged position or counts samples against it: {@link
   * #enforceCap}, {@link #ack} and {@link #countCorrupt}. Not taken by {@link #append}.
   */
  private final Object trimLock = new Object();
  /** Unacknowledged excerpts already counted as corrupt (guarded by trimLock; rare, tiny). */
  private final NavigableSet<Long> corruptCounted = new TreeSet<>();
  private volatile long trimGeneration;
  private volatile long ackedIndex;

  private DiskBuffer(
      Path dir, SingleChronicleQueue queue, AckFile ackFile, long ackedIndex, long maxDiskBytes) {
    this.dir = dir;
    this.queue = queue;
    this.ackFile = ackFile;
    this.ackedIndex = ackedIndex;
    this.maxDiskBytes = Math.max(0, maxDiskBytes);
    this.appender = queue.createAppender();
  }

  /** Opens (or creates) the buffer in {@code dir} without a disk cap. */
  public static DiskBuffer open(Path dir) throws IOException {
    return open(dir, 0);
  }

  /**
   * Opens (or creates) the buffer in {@code dir}, resuming after the persisted ack, with a cap
   * of {@code maxDiskBytes} allocated bytes (0 = unlimited; see the class comment).
   */
  public static DiskBuffer open(Path dir, long maxDiskBytes) throws IOException {
    // One file per minute: the disk cap deletes whole old files, so small files keep the cap
    // tight on a robot's small disk.
    return open(dir, maxDiskBytes, LegacyRollCycles.MINUTELY, SystemTimeProvider.INSTANCE);
  }

  /**
   * Like {@link #open(Path, long)} with another roll cycle and clock. For tests, which roll
   * files every (fake) second; the agent uses {@link #open(Path, long)}. A directory must
   * always be opened with the same roll cycle.
   */
  public static DiskBuffer open(Path dir, long maxDiskBytes, RollCycle rollCycle, TimeProvider clock)
      throws IOException {
    Files.createDirectories(dir);
    AckFile ackFile = new AckFile(dir);
    long acked;
    try {
      acked = ackFile.read();
    } catch (AckFile.CorruptAckException e) {
      log.warn("{}; re-sending the whole buffer (at-least-once: duplicates, not loss)", e.getMessage());
      acked = -1;
    }
    SingleChronicleQueue queue =
        SingleChronicleQueueBuilder.binary(dir.resolve("queue"))
            .rollCycle(rollCycle)
            .timeProvider(clock)
            // Mapped pages count in RSS, so the block is small; Chronicle takes an excerpt of up
            // to about a quarter of it, so 4 MiB blocks hold a ~1 MiB compressed scrape.
            .blockSize(4 << 20)
            .build();
    DiskBuffer buffer = new DiskBuffer(dir, queue, ackFile, acked, maxDiskBytes);
    try {
      buffer.countPendingAtOpen();
      buffer.enforceCap();
    } catch (IOException | RuntimeException e) {
      buffer.close();
      throw e;
    }
    return buffer;
  }

  private void countPendingAtOpen() {
    long samples = 0;
    try (BufferReader reader = reader()) {
      BufferReader.Record r = new BufferReader.Record();
      while (reader.nextHeader(r)) {
        samples += r.sampleCount;
      }
    }
    pendingSamples.set(samples);
    if (samples > 0) {
      log.info("buffer {} holds {} unsent samples from before the restart", dir, samples);
    }
  }

  /**
   * Writes one excerpt: {@code sampleCount} samples encoded as a remote-write WriteRequest in
   * {@code writeRequest[0, length)}. Returns the excerpt's queue index.
   */
  public synchronized long append(byte[] writeRequest, int length, int sampleCount, long timestampMs)
      throws IOException {
    int max = Snappy.maxCompressedLength(length);
    if (compressed.length < max) {
      compressed = new byte[Math.max(max, compressed.length * 2)];
    }
    int n = Snappy.rawCompress(writeRequest, 0, length, compressed, 0);
    crc.reset();
    crc.update(compressed, 0, n);
    long index;
    try (DocumentContext dc = appender.writingDocument()) {
      Bytes<?> b = dc.wire().bytes();
      b.writeByte(FORMAT_VERSION);
      b.writeInt(sampleCount);
      b.writeLong(timestampMs);
      b.writeInt(length);
      b.writeInt((int) crc.getValue());
      b.writeInt(n);
      b.write(compressed, 0, n);
      index = dc.index();
    }
    pendingSamples.addAndGet(sampleCount);
    bufferedTotal.addAndGet(sampleCount);
    return index;
  }

  /** A reader positioned right after the acknowledged excerpt. For one thread. */
  public BufferReader reader() {
    ExcerptTailer tailer = queue.createTailer();
    long acked = ackedIndex;
    if (acked >= 0) {
      if (tailer.moveToIndex(acked)) {
        try (DocumentContext dc = tailer.readingDocument()) {
          // skip the acknowledged excerpt itself
          dc.isPresent();
        }
      } else {
        // The acknowledged file is gone (trimmed by the disk cap): start at the oldest left.
        tailer.toStart();
      }
    } else {
      tailer.toStart();
    }
    return new BufferReader(tailer, this);
  }

  /**
   * Marks everything up to and including {@code index} as done ({@code samples} of them) and
   * persists the position, for a batch read at the current {@link #trimGeneration}. See {@link
   * #ack(long, long, long)}.
   */
  public boolean ack(long index, long samples) throws IOException {
    return ack(index, samples, trimGeneration);
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
    synchronized (trimLock) {
      if (generation != trimGeneration) {
        log.info("ignoring the acknowledgement of a batch up to {}: a disk cap trim invalidated it",
            Long.toHexString(index));
        return false;
      }
      if (index <= ackedIndex) {
        log.warn("ignoring an acknowledgement that would move back from {} to {}",
            Long.toHexString(ackedIndex), Long.toHexString(index));
        return false;
      }
      ackFile.write(index);
      ackedIndex = index;
      pendingSamples.addAndGet(-samples);
      corruptCounted.headSet(index, true).clear();
      return true;
    }
  }

  /**
   * Counts a damaged excerpt once: a reader re-created after a trim may read it again, and an
   * excerpt already dropped by a trim (at or before the acknowledged position) was counted
   * there.
   */
  void countCorrupt(long index, long samples, String what) {
    synchronized (trimLock) {
      if (index <= ackedIndex || !corruptCounted.add(index)) {
        return;
      }
      corruptSamples.addAndGet(samples);
      pendingSamples.addAndGet(-samples);
    }
    log.warn("skipping a damaged buffer excerpt: {}", what);
  }

  /**
   * Generation of the trims that dropped unacknowledged excerpts: increases by one with each.
   * A reader's excerpts (and a batch built from them) are valid only while it is unchanged.
   */
  public long trimGeneration() {
    return trimGeneration;
  }

  /** Samples dropped unsent because the disk cap deleted their file (reason="disk_full"). */
  public long diskFullSamplesTotal() {
    return diskFullSamples.get();
  }

  /** The cap in allocated bytes, 0 = unlimited. */
  public long maxDiskBytes() {
    return maxDiskBytes;
  }

  /**
   * Deletes the oldest whole cycle files while disk use is over the cap (see the class
   * comment). Called about once a second by the agent's scheduler; safe from any thread.
   * Returns the number of files deleted.
   */
  public int enforceCap() throws IOException {
    if (maxDiskBytes <= 0) {
      return 0;
    }
    synchronized (trimLock) {
      long used = diskBytes();
      if (used <= maxDiskBytes) {
        return 0;
      }
      queue.refreshDirectoryListing();
      int newest = queue.lastCycle();
      int oldest = queue.firstCycle();
      if (oldest >= newest) {
        return 0; // no file, or only the one being appended to
      }
      List<Long> cycles = new ArrayList<>(queue.listCyclesBetween(oldest, newest));
      int deleted = 0;
      for (long c : cycles) {
        int cycle = (int) c;
        if (used <= maxDiskBytes || cycle >= newest) {
          break;
        }
        Path file = cycleFile(cycle);
        if (!Files.exists(file)) {
          continue;
        }
        long acked = ackedIndex;
        CycleScan scan = scanUnacked(cycle, acked);
        Files.delete(file);
        deleted++;
        if (scan.lastIndex > acked) {
          try {
            ackFile.write(scan.lastIndex);
          } finally {
            // The file is gone either way: nothing before its end can be read again.
            ackedIndex = scan.lastIndex;
            trimGeneration++;
            diskFullSamples.addAndGet(scan.samples);
            pendingSamples.addAndGet(-scan.samples);
            corruptCounted.headSet(scan.lastIndex, true).clear();
          }
        }
        log.warn("disk cap {} reached: dropped the oldest file {} with {} unsent samples",
            formatBytes(maxDiskBytes), file.getFileName(), scan.samples);
        used = diskBytes();
      }
      if (deleted > 0) {
        queue.refreshDirectoryListing();
      }
      return deleted;
    }
  }

  private record CycleScan(long samples, long lastIndex) {}

  /**
   * Unacknowledged samples in {@code cycle} (excerpts after {@code acked}, minus those already
   * counted as corrupt) and the cycle's last index (-1 when nothing in it is after {@code
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
          Bytes<?> b = dc.wire().bytes();
          if (corruptCounted.contains(index)
              || b.readRemaining() < HEADER_BYTES
              || b.readByte() != FORMAT_VERSION) {
            continue; // already counted as corrupt, or counted as 0 samples at open
          }
          samples += Math.max(0, b.readInt());
        }
      }
    }
    return new CycleScan(samples, last);
  }

  private Path cycleFile(int cycle) {
    RollCycle rc = queue.rollCycle();
    String name =
        DateTimeFormatter.ofPattern(rc.format())
            .withZone(ZoneOffset.UTC)
            .format(Instant.ofEpochMilli(queue.epoch() + (long) cycle * rc.lengthInMillis()));
    return dir.resolve("queue").resolve(name + SingleChronicleQueue.SUFFIX);
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
    return Math.max(0, pendingSamples.get());
  }

  public long bufferedSamplesTotal() {
    return bufferedTotal.get();
  }

  public long corruptSamplesTotal() {
    return corruptSamples.get();
  }

  public Path directory() {
    return dir;
  }

  /** Blocks actually allocated on disk by the buffer (what {@code du} reports). */
  public long diskBytes() {
    return DiskUsage.allocatedBytes(dir);
  }

  @Override
  public void close() {
    appender.close();
    queue.close();
  }
}
