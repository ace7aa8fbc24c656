package dev.edgepush.agent.buffer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
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
  private volatile long ackedIndex;

  private DiskBuffer(Path dir, SingleChronicleQueue queue, AckFile ackFile, long ackedIndex) {
    this.dir = dir;
    this.queue = queue;
    this.ackFile = ackFile;
    this.ackedIndex = ackedIndex;
    this.appender = queue.createAppender();
  }

  /** Opens (or creates) the buffer in {@code dir}, resuming after the persisted ack. */
  public static DiskBuffer open(Path dir) throws IOException {
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
            // One file per minute: the disk cap deletes whole old files, so small files keep
            // the cap tight on a robot's small disk.
            .rollCycle(LegacyRollCycles.MINUTELY)
            // Mapped pages count in RSS: 1 MiB blocks keep the mapped window small.
            .blockSize(1 << 20)
            .build();
    DiskBuffer buffer = new DiskBuffer(dir, queue, ackFile, acked);
    buffer.countPendingAtOpen();
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
   * persists the position. Called by the sender after a 2xx (or a permanent rejection).
   */
  public void ack(long index, long samples) throws IOException {
    ackFile.write(index);
    ackedIndex = index;
    pendingSamples.addAndGet(-samples);
  }

  void countCorrupt(long samples, String what) {
    corruptSamples.addAndGet(samples);
    pendingSamples.addAndGet(-samples);
    log.warn("skipping a damaged buffer excerpt: {}", what);
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
