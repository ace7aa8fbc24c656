package dev.edgepush.forward.buffer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disk use as {@code du} reports it: blocks actually allocated, not apparent size. Chronicle's
 * cycle files are sparse (a new one is 80 MiB apparent and a few KiB allocated), so apparent
 * size would overstate what the disk lost by orders of magnitude.
 *
 * <p>Java has no portable way to read {@code st_blocks}, so this runs {@code du -sk} (POSIX
 * options, also in BusyBox) once per call: one short process, about once a second for the
 * disk cap. ({@code PosixAPI.du} of chronicle-posix also forks {@code du}, once per file, and
 * answers in KiB, not bytes.) If {@code du} cannot be run, the apparent size is used instead:
 * it only overstates, so the cap then errs on the side of deleting sooner.
 */
final class DiskUsage {
    private static final Logger log = LoggerFactory.getLogger(DiskUsage.class);
    private static volatile boolean warned;

    private DiskUsage() {}

    /** Allocated bytes of everything under {@code dir} (0 when it does not exist). */
    static long allocatedBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long du = du(dir);
        return du >= 0 ? du : apparentBytes(dir);
    }

    /** Allocated bytes of one file (0 when it does not exist). */
    static long allocatedBytesOfFile(Path file) {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        long du = du(file);
        if (du >= 0) {
            return du;
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** {@code du -sk path} in bytes, or -1 when it fails. */
    private static long du(Path path) {
        try {
            Process p = new ProcessBuilder("du", "-sk", path.toString())
                    .redirectErrorStream(false)
                    .start();
            String last = null;
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    last = line;
                }
            }
            p.getErrorStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return fail("du did not finish in 10 s", null);
            }
            // du may exit 1 when a file vanished under it (roll, trim); its total is still fine
            if (last == null) {
                return fail("du printed nothing for " + path, null);
            }
            String kib = last.trim().split("\\s+", 2)[0];
            return Long.parseLong(kib) * 1024;
        } catch (IOException | NumberFormatException e) {
            return fail("cannot run du", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static long fail(String what, Exception e) {
        if (!warned) {
            warned = true;
            log.warn(
                    "{}{}; using apparent file sizes for the buffer's disk use (overstates sparse files)",
                    what,
                    e == null ? "" : " (" + e + ")");
        }
        return -1;
    }

    static long apparentBytes(Path dir) {
        long total = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    if (Files.isRegularFile(p)) {
                        total += Files.size(p);
                    }
                } catch (IOException e) {
                    // files come and go under us (roll, trim)
                }
            }
        } catch (IOException | RuntimeException e) {
            // a slightly stale figure is fine
        }
        return total;
    }
}
