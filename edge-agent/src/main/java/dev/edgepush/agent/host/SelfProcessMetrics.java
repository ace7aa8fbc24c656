package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent's own {@code process_*} metrics on its /metrics, named as the Prometheus client
 * libraries name them (client_golang's process collector, which vmagent and node_exporter expose):
 * {@code process_cpu_seconds_total}, {@code process_resident_memory_bytes}, {@code
 * process_virtual_memory_bytes}, {@code process_start_time_seconds}, {@code process_open_fds},
 * {@code process_max_fds}, read from /proc/self. Nothing is written where /proc/self is missing.
 */
public final class SelfProcessMetrics {
    private static final double USER_HZ = 100.0;
    private static final Path SELF = Path.of("/proc/self");

    private SelfProcessMetrics() {}

    public static void render(StringBuilder sb) {
        try {
            String stat = HostPaths.read(SELF.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / USER_HZ;
            long startTicks = Long.parseLong(f[19]);
            long vsize = Long.parseLong(f[20]);
            long rssKb = 0;
            for (String line : HostPaths.read(SELF.resolve("status")).split("\n")) {
                if (line.startsWith("VmRSS:")) {
                    rssKb = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            double boot = 0;
            for (String line : HostPaths.read(Path.of("/proc/stat")).split("\n")) {
                if (line.startsWith("btime ")) {
                    boot = Double.parseDouble(line.substring(6).trim());
                }
            }
            gauge(sb, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", cpu);
            gauge(sb, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", rssKb * 1024.0);
            gauge(sb, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", vsize);
            gauge(
                    sb,
                    "process_start_time_seconds",
                    "Start time of the process since unix epoch in seconds.",
                    "gauge",
                    boot + startTicks / USER_HZ);
            gauge(sb, "process_open_fds", "Number of open file descriptors.", "gauge", openFds());
            long max = maxFds();
            if (max > 0) {
                gauge(sb, "process_max_fds", "Maximum number of open file descriptors.", "gauge", max);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: no process_* metrics
        }
    }

    private static void gauge(StringBuilder sb, String name, String help, String type, double v) {
        sb.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help)
                .append("\n# TYPE ")
                .append(name)
                .append(' ')
                .append(type)
                .append('\n')
                .append(name)
                .append(' ');
        TextOut.formatValue(sb, v);
        sb.append('\n');
    }

    private static long openFds() throws IOException {
        long n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(SELF.resolve("fd"))) {
            for (Path ignored : ds) {
                n++;
            }
        }
        return n - 1; // the directory stream's own descriptor
    }

    private static long maxFds() throws IOException {
        for (String line : HostPaths.read(SELF.resolve("limits")).split("\n")) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
            }
        }
        return -1;
    }
}
