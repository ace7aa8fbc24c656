package dev.edgepush.forward.buffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DiskBuffer}'s housekeeping: deletes delivered cycle files and applies the disk cap
 * (see {@link DiskBuffer#enforceCap} and the "Delivered files" and "Disk cap" parts of its class
 * comment). Everything runs under the {@link AckPosition}'s lock, as acknowledgements do.
 */
final class BufferTrim {
  /** DiskBuffer's logger: these lines are the buffer's, as they always were. */
  private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);

  private final Path dir;
  private final SingleChronicleQueue queue;
  private final AckPosition position;
  private final long maxDiskBytes;
  private final IntFunction<Path> cycleFile;

  BufferTrim(Path dir, SingleChronicleQueue queue, AckPosition position, long maxDiskBytes,
      IntFunction<Path> cycleFile) {
    this.dir = dir;
    this.queue = queue;
    this.position = position;
    this.maxDiskBytes = maxDiskBytes;
    this.cycleFile = cycleFile;
  }

  /** See {@link DiskBuffer#enforceCap}. */
  int enforceCap() throws IOException {
    synchronized (position) {
      int deleted = deleteAcknowledged();
      if (maxDiskBytes <= 0) {
        return deleted;
      }
      long used = DiskUsage.allocatedBytes(dir);
      if (used <= maxDiskBytes) {
        return deleted;
      }
      // Files moved aside as damaged hold nothing that can still be sent (their readable part was
      // salvaged, their samples counted where they could be): they go first.
      for (Path q : BufferRecovery.quarantined(dir)) {
        if (used <= maxDiskBytes) {
          return deleted;
        }
        BufferRecovery.deleteQuarantined(q);
        deleted++;
        log.warn("disk cap {} reached: deleted {}, moved aside earlier as damaged", DiskBuffer.formatBytes(maxDiskBytes),
            dir.relativize(q));
        used = DiskUsage.allocatedBytes(dir);
      }
      if (used <= maxDiskBytes) {
        return deleted;
      }
      queue.refreshDirectoryListing();
      int newest = queue.lastCycle();
      int oldest = queue.firstCycle();
      if (oldest >= newest) {
        return deleted; // no file, or only the one being appended to
      }
      List<Long> cycles = new ArrayList<>(queue.listCyclesBetween(oldest, newest));
      for (long c : cycles) {
        int cycle = (int) c;
        if (used <= maxDiskBytes || cycle >= newest) {
          break;
        }
        Path file = cycleFile.apply(cycle);
        if (!Files.exists(file)) {
          continue;
        }
        long acked = position.acked();
        CycleScan scan = scanUnacked(cycle, acked);
        Files.delete(file);
        deleted++;
        if (scan.lastIndex > acked) {
          position.trimmedTo(scan.lastIndex, scan.samples);
        }
        log.warn("disk cap {} reached: dropped the oldest file {} with {} unsent samples",
            DiskBuffer.formatBytes(maxDiskBytes), file.getFileName(), scan.samples);
        used = DiskUsage.allocatedBytes(dir);
      }
      if (deleted > 0) {
        queue.refreshDirectoryListing();
      }
      return deleted;
    }
  }

  /**
   * Deletes every cycle file before the one holding the acknowledged position: all their
   * excerpts were delivered (or counted), so nothing will read them again. Never the newest
   * file, nor the acknowledged position's own file (the next acknowledgement in a later file
   * frees it). Without this, delivered data stayed on disk until the cap removed it, and with no
   * cap ({@code -remoteWrite.maxDiskUsagePerURL=0}, the default) it was never removed.
   */
  int deleteAcknowledged() throws IOException {
    synchronized (position) {
      long acked = position.acked();
      if (acked < 0) {
        return 0;
      }
      queue.refreshDirectoryListing();
      int newest = queue.lastCycle();
      int oldest = queue.firstCycle();
      int before = Math.min(queue.rollCycle().toCycle(acked), newest);
      if (oldest < 0 || oldest >= before) {
        return 0;
      }
      int deleted = 0;
      // Both bounds must be cycles with a file (Chronicle throws otherwise): files exist only for
      // minutes that saw a write, so before - 1 may have none.
      for (long c : new ArrayList<>(queue.listCyclesBetween(oldest, newest))) {
        if (c < before && Files.deleteIfExists(cycleFile.apply((int) c))) {
          deleted++;
        }
      }
      if (deleted > 0) {
        queue.refreshDirectoryListing();
        log.debug("deleted {} delivered buffer files", deleted);
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
          int count = position.countedCorrupt(index) ? -1 : RecordFormat.sampleCount(dc.wire().bytes());
          if (count < 0) {
            continue; // already counted as corrupt, or counted as 0 samples at open
          }
          samples += count;
        }
      }
    }
    return new CycleScan(samples, last);
  }
}
