package dev.edgepush.agent.buffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import net.openhft.posix.PosixAPI;

/**
 * Disk use as {@code du} reports it: blocks actually allocated, not apparent size. Chronicle's
 * cycle files are sparse (a new one is 80 MiB apparent and a few KiB allocated), so apparent
 * size would overstate what the disk lost by orders of magnitude.
 */
final class DiskUsage {
  private DiskUsage() {}

  static long allocatedBytes(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long total = 0;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) {
          total += allocatedBytesOfFile(p);
        }
      }
    } catch (IOException | RuntimeException e) {
      // files come and go under us (roll, trim); a slightly stale figure is fine
    }
    return total;
  }

  static long allocatedBytesOfFile(Path file) {
    try {
      return PosixAPI.posix().du(file.toString());
    } catch (IOException | RuntimeException | LinkageError e) {
      try {
        return Files.size(file);
      } catch (IOException ex) {
        return 0;
      }
    }
  }
}
