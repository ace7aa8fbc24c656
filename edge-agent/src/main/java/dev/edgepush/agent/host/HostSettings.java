package dev.edgepush.agent.host;

import dev.edgepush.agent.scrape.ScrapeTarget;
import dev.edgepush.compat.Relabeler;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The checked {@code -host.*} flags (see {@link HostFlags}): which collectors, how often, the
 * labels of the host target and where /proc and /sys are.
 */
public record HostSettings(
        List<String> collectors,
        Duration interval,
        Duration timeout,
        String job,
        String instance,
        HostPaths paths,
        Path relabelConfig,
        Pattern netdevExclude,
        Pattern netdevInclude,
        Pattern diskExclude,
        Pattern mountExclude,
        Pattern fsTypeExclude,
        int topProcesses) {

    /** node_exporter's collectors this agent has, in the order they are run. */
    public static final List<String> NODE_COLLECTORS = List.of(
            "cpu",
            "meminfo",
            "loadavg",
            "stat",
            "netdev",
            "diskstats",
            "filesystem",
            "pressure",
            "thermal_zone",
            "hwmon",
            "powersupplyclass",
            "uname",
            "time");

    /** No host collection. */
    public static final HostSettings OFF = new HostSettings(
            List.of(),
            Duration.ofSeconds(15),
            Duration.ofSeconds(10),
            "node",
            "localhost",
            HostPaths.DEFAULT,
            null,
            null,
            null,
            Pattern.compile(DiskstatsCollector.DEFAULT_EXCLUDE),
            Pattern.compile(FilesystemCollector.DEFAULT_MOUNT_EXCLUDE),
            Pattern.compile(FilesystemCollector.DEFAULT_FS_TYPE_EXCLUDE),
            0);

    public boolean enabled() {
        return !collectors.isEmpty();
    }

    /** The collectors, built fresh (they keep state between collections: cpu counters, process CPU times). */
    public List<HostCollector> build() {
        List<HostCollector> out = new ArrayList<>();
        for (String name : collectors) {
            out.add(
                    switch (name) {
                        case "cpu" -> new CpuCollector(paths);
                        case "meminfo" -> new MeminfoCollector(paths);
                        case "loadavg" -> new LoadavgCollector(paths);
                        case "stat" -> new StatCollector(paths);
                        case "netdev" -> new NetdevCollector(paths, netdevExclude, netdevInclude);
                        case "diskstats" -> new DiskstatsCollector(paths, diskExclude);
                        case "filesystem" -> new FilesystemCollector(paths, mountExclude, fsTypeExclude);
                        case "pressure" -> new PressureCollector(paths);
                        case "thermal_zone" -> new ThermalZoneCollector(paths);
                        case "hwmon" -> new HwmonCollector(paths);
                        case "powersupplyclass" -> new PowerSupplyCollector(paths);
                        case "uname" -> new UnameCollector(paths);
                        case "time" -> new TimeCollector(paths, Instant::now);
                        case "processes" -> new ProcessCollector(paths, topProcesses);
                        default -> throw new IllegalArgumentException("unknown host collector " + name);
                    });
        }
        return out;
    }

    /** The host collection as a target: on /targets, and its labels on every series it writes. */
    public ScrapeTarget target(Relabeler relabeler) {
        TreeMap<String, String> labels = new TreeMap<>();
        labels.put("job", job);
        labels.put("instance", instance);
        return new ScrapeTarget(
                job,
                instance,
                URI.create("host:" + String.join(",", collectors)),
                interval,
                timeout,
                false,
                true,
                labels,
                relabeler);
    }
}
