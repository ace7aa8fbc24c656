package dev.edgepush.testbed.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process's CPU time and peak RSS as Linux reports them: {@code /proc/<pid>/stat} fields 14 and
 * 15 (utime, stime, in clock ticks) and {@code /proc/<pid>/status} {@code VmHWM} (the peak of the
 * resident set, kB). Covers every thread of the process (the JVM's GC and JIT included).
 */
public final class ProcessStats {
    /** USER_HZ: 100 on every mainstream Linux build; `getconf CLK_TCK` would tell. */
    static final int CLOCK_TICKS_PER_SECOND = 100;

    private static final Pattern HWM = Pattern.compile("(?m)^VmHWM:\\s+(\\d+) kB");

    private ProcessStats() {}

    /** utime + stime of {@code pid}, in seconds. */
    public static double cpuSeconds(long pid) throws IOException {
        return cpuSecondsFromStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** Parses a {@code /proc/<pid>/stat} line; the command name may hold spaces and parentheses. */
    static double cpuSecondsFromStat(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state), so utime (field 14) is f[11] and stime (field 15) is f[12].
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS_PER_SECOND;
    }

    /** Peak resident set of {@code pid} so far, in bytes. */
    public static long peakRssBytes(long pid) throws IOException {
        return peakRssFromStatus(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    }

    static long peakRssFromStatus(String status) {
        Matcher m = HWM.matcher(status);
        if (!m.find()) {
            throw new IllegalArgumentException("no VmHWM line in /proc/<pid>/status");
        }
        return Long.parseLong(m.group(1)) * 1024;
    }
}
