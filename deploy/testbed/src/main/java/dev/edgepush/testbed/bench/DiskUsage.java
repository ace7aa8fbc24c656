package dev.edgepush.testbed.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Blocks a directory tree has allocated on disk, as {@code du -sB1} reports (not the apparent
 * size: Chronicle Queue's cycle files are sparse).
 */
final class DiskUsage {
    private DiskUsage() {}

    /** Allocated bytes under {@code dir}; 0 when it does not exist yet. */
    static long allocatedBytes(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        Process du = new ProcessBuilder("du", "-sB1", dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!du.waitFor(30, TimeUnit.SECONDS)) {
                du.destroyForcibly();
                throw new IOException("du -sB1 " + dir + " did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            du.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return parseDu(out, dir);
    }

    /** The leading byte count of {@code du -sB1} output. Files vanishing mid-walk are tolerated. */
    static long parseDu(String out, Path dir) throws IOException {
        String first = out.strip().split("\\s+", 2)[0];
        try {
            return Long.parseLong(first);
        } catch (NumberFormatException e) {
            throw new IOException("unexpected output of du -sB1 " + dir + ": '" + out.strip() + "'");
        }
    }
}
