package dev.edgepush.testbed.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's memory and CPU from Linux's {@code /proc/<pid>/status} and
 * {@code /proc/<pid>/stat}. The parsing is separate from the reading so it can be tested on
 * fixed text.
 */
public final class ProcFiles {
    /** Clock ticks per second of {@code /proc/<pid>/stat} times; 100 on every Linux we run on. */
    static final long CLOCK_TICKS_PER_SECOND = 100;

    private ProcFiles() {}

    /** A reading of one process. */
    public record Reading(long hwmKiB, long rssKiB, long cpuTicks) {
        /** CPU time (user + system) in seconds. */
        public double cpuSeconds() {
            return cpuTicks / (double) CLOCK_TICKS_PER_SECOND;
        }
    }

    /**
     * Reads {@code pid} now.
     *
     * @throws IOException when the process is gone
     */
    public static Reading read(long pid) throws IOException {
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return new Reading(statusKiB(status, "VmHWM"), statusKiB(status, "VmRSS"), cpuTicks(stat));
    }

    /**
     * The value in KiB of a {@code Name:   1234 kB} line of {@code /proc/<pid>/status}.
     *
     * @throws IllegalArgumentException when the field is missing or not in kB
     */
    static long statusKiB(String status, String field) {
        for (String line : status.split("\n")) {
            if (line.startsWith(field + ":")) {
                String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equals("kB")) {
                    throw new IllegalArgumentException("unexpected /proc status line '" + line + "'");
                }
                return Long.parseLong(parts[0]);
            }
        }
        throw new IllegalArgumentException("no " + field + " line in /proc status");
    }

    /**
     * utime + stime (fields 14 and 15) of a {@code /proc/<pid>/stat} line, in clock ticks. The
     * command name (field 2) is in parentheses and may itself hold spaces and parentheses, so the
     * fields are counted from the last ')'.
     */
    static long cpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("unexpected /proc stat text '" + stat.strip() + "'");
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state), so field n is f[n - 3].
        if (f.length < 13) {
            throw new IllegalArgumentException("short /proc stat text '" + stat.strip() + "'");
        }
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
