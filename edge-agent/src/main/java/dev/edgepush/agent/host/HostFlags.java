package dev.edgepush.agent.host;

import dev.edgepush.flags.FlagValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Option;

/**
 * The {@code -host.*} flags of edge-agent (a picocli mixin of AgentFlags): host metrics collected
 * by the agent itself, named as prometheus-node-exporter names them. The paths and exclusion
 * patterns are node_exporter's {@code --path.*} and {@code --collector.<name>.*} flags under
 * edge-agent's {@code -host.} prefix.
 */
public final class HostFlags {
    @Option(
            names = {"-host.collectors", "--host.collectors"},
            paramLabel = "LIST",
            description = "Host collectors to run, comma-separated: cpu, meminfo, loadavg, stat, netdev, diskstats,"
                    + " filesystem, pressure, thermal_zone, hwmon, powersupplyclass, uname, time (node_exporter's names and"
                    + " metrics), processes (top processes); 'default' = all of them; empty = no host metrics"
                    + " (default: empty).")
    String collectors = "";

    @Option(
            names = {"-host.interval", "--host.interval"},
            paramLabel = "DURATION",
            description = "How often host metrics are collected (default: ${DEFAULT-VALUE}).")
    String interval = "15s";

    @Option(
            names = {"-host.timeout", "--host.timeout"},
            paramLabel = "DURATION",
            description = "A host collection not done in this long fails (up 0), e.g. a hung network mount; at most"
                    + " -host.interval (default: ${DEFAULT-VALUE}).")
    String timeout = "10s";

    @Option(
            names = {"-host.job", "--host.job"},
            paramLabel = "NAME",
            description = "The job label of host metrics (default: ${DEFAULT-VALUE}).")
    String job = "node";

    @Option(
            names = {"-host.instance", "--host.instance"},
            paramLabel = "NAME",
            description =
                    "The instance label of host metrics (default: the host name, from <procfsPath>/sys/kernel/hostname).")
    String instance;

    @Option(
            names = {"-host.relabelConfig", "--host.relabelConfig"},
            paramLabel = "FILE",
            description = "metric_relabel_configs (YAML list) applied to host metrics, as to a scrape job's series.")
    Path relabelConfig;

    @Option(
            names = {"-host.procfsPath", "--host.procfsPath"},
            paramLabel = "DIR",
            description = "procfs mount point, as node_exporter's --path.procfs (default: ${DEFAULT-VALUE}).")
    Path procfs = Path.of("/proc");

    @Option(
            names = {"-host.sysfsPath", "--host.sysfsPath"},
            paramLabel = "DIR",
            description = "sysfs mount point, as node_exporter's --path.sysfs (default: ${DEFAULT-VALUE}).")
    Path sysfs = Path.of("/sys");

    @Option(
            names = {"-host.rootfsPath", "--host.rootfsPath"},
            paramLabel = "DIR",
            description =
                    "Where mount points are found for statfs, as node_exporter's --path.rootfs (default: ${DEFAULT-VALUE}).")
    Path rootfs = Path.of("/");

    @Option(
            names = {"-host.udevDataPath", "--host.udevDataPath"},
            paramLabel = "DIR",
            description =
                    "udev database for disk labels, as node_exporter's --path.udev.data (default: ${DEFAULT-VALUE}).")
    Path udevData = Path.of("/run/udev/data");

    @Option(
            names = {"-host.netdev.deviceExclude", "--host.netdev.deviceExclude"},
            paramLabel = "REGEX",
            description = "Network devices to leave out, as --collector.netdev.device-exclude (default: none).")
    String netdevExclude = "";

    @Option(
            names = {"-host.netdev.deviceInclude", "--host.netdev.deviceInclude"},
            paramLabel = "REGEX",
            description = "Only these network devices, as --collector.netdev.device-include (default: all).")
    String netdevInclude = "";

    @Option(
            names = {"-host.diskstats.deviceExclude", "--host.diskstats.deviceExclude"},
            paramLabel = "REGEX",
            description =
                    "Block devices to leave out, as --collector.diskstats.device-exclude (default: ${DEFAULT-VALUE}).")
    String diskExclude = DiskstatsCollector.DEFAULT_EXCLUDE;

    @Option(
            names = {"-host.filesystem.mountPointsExclude", "--host.filesystem.mountPointsExclude"},
            paramLabel = "REGEX",
            description =
                    "Mount points to leave out, as --collector.filesystem.mount-points-exclude (default: ${DEFAULT-VALUE}).")
    String mountExclude = FilesystemCollector.DEFAULT_MOUNT_EXCLUDE;

    @Option(
            names = {"-host.filesystem.fsTypesExclude", "--host.filesystem.fsTypesExclude"},
            paramLabel = "REGEX",
            description =
                    "File system types to leave out, as --collector.filesystem.fs-types-exclude (default: ${DEFAULT-VALUE}).")
    String fsTypeExclude = FilesystemCollector.DEFAULT_FS_TYPE_EXCLUDE;

    @Option(
            names = {"-host.processes.top", "--host.processes.top"},
            paramLabel = "N",
            description = "The processes collector reports the top N processes by CPU and the top N by memory"
                    + " (default: ${DEFAULT-VALUE}).")
    int topProcesses = 12;

    /** The checked settings; each problem (one line naming its flag) is added to {@code problems}. */
    public HostSettings settings(List<String> problems) {
        List<String> names = new ArrayList<>();
        Set<String> known = new LinkedHashSet<>(HostSettings.NODE_COLLECTORS);
        known.add("processes");
        for (String n : collectors.split(",")) {
            n = n.trim();
            if (n.isEmpty()) {
                continue;
            }
            if (n.equals("default")) {
                known.stream().filter(k -> !names.contains(k)).forEach(names::add);
            } else if (!known.contains(n)) {
                problems.add("-host.collectors=" + collectors + ": unknown collector " + n + "; known: "
                        + String.join(",", known));
            } else if (!names.contains(n)) {
                names.add(n);
            }
        }
        Duration every = duration("-host.interval", interval, problems);
        Duration limit = duration("-host.timeout", timeout, problems);
        if (every != null && limit != null && limit.compareTo(every) > 0) {
            limit = every;
        }
        if (topProcesses < 1) {
            problems.add("-host.processes.top=" + topProcesses + ": must be 1 or more");
        }
        if (relabelConfig != null && !Files.isReadable(relabelConfig)) {
            problems.add("-host.relabelConfig=" + relabelConfig + ": cannot read it");
        }
        HostPaths paths = new HostPaths(procfs, sysfs, rootfs, udevData);
        return new HostSettings(
                names,
                every,
                limit,
                job,
                instance != null ? instance : hostname(paths),
                paths,
                relabelConfig,
                regex("-host.netdev.deviceExclude", netdevExclude, problems),
                regex("-host.netdev.deviceInclude", netdevInclude, problems),
                regex("-host.diskstats.deviceExclude", diskExclude, problems),
                regex("-host.filesystem.mountPointsExclude", mountExclude, problems),
                regex("-host.filesystem.fsTypesExclude", fsTypeExclude, problems),
                topProcesses);
    }

    private static String hostname(HostPaths paths) {
        try {
            String h = HostPaths.read(paths.proc("sys/kernel/hostname")).trim();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException e) {
            // below
        }
        String env = System.getenv("HOSTNAME");
        return env != null && !env.isEmpty() ? env : "localhost";
    }

    private static Pattern regex(String flag, String value, List<String> problems) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            problems.add(flag + "=" + value + ": not a regular expression: " + e.getDescription());
            return null;
        }
    }

    private static Duration duration(String flag, String value, List<String> problems) {
        return FlagValues.recorded(problems, () -> FlagValues.nonZeroDuration(flag, value), null);
    }
}
