package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * node_exporter's {@code diskstats} collector from /proc/diskstats: {@code node_disk_*{device}}
 * for as many fields as the kernel writes (4.18 adds discards, 5.5 flushes), with its default
 * device exclusion (partitions, ram, loop, fd) and {@code node_disk_info} plus the udev-derived
 * {@code node_disk_filesystem_info}, {@code node_disk_device_mapper_info} and {@code
 * node_disk_ata_*} from {@code /run/udev/data/b<major>:<minor>} when udev is there. Counters are
 * passed on as the kernel has them: a 32-bit kernel's counter that wraps goes down, which
 * Prometheus's rate() reads as a counter reset, as with node_exporter.
 */
final class DiskstatsCollector implements HostCollector {
    static final String DEFAULT_EXCLUDE = "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";
    private static final double SECTOR = 512;
    private static final double TICK = 0.001;
    private static final String[] NAMES = {
        "reads_completed_total", "reads_merged_total", "read_bytes_total", "read_time_seconds_total",
        "writes_completed_total", "writes_merged_total", "written_bytes_total", "write_time_seconds_total",
        "io_now", "io_time_seconds_total", "io_time_weighted_seconds_total", "discards_completed_total",
        "discards_merged_total", "discarded_sectors_total", "discard_time_seconds_total", "flush_requests_total",
        "flush_requests_time_seconds_total"
    };
    private static final double[] FACTORS = {
        1, 1, SECTOR, TICK, 1, 1, SECTOR, TICK, 1, TICK, TICK, 1, 1, 1, TICK, 1, TICK
    };
    /** The udev info series: metric, then label and udev property pairs (the first one must be set). */
    private static final String[][] UDEV_INFO = {
        "node_disk_filesystem_info type ID_FS_TYPE usage ID_FS_USAGE uuid ID_FS_UUID version ID_FS_VERSION".split(" "),
        ("node_disk_device_mapper_info name DM_NAME uuid DM_UUID vg_name DM_VG_NAME lv_name DM_LV_NAME"
                        + " lv_layer DM_LV_LAYER")
                .split(" ")
    };

    private final HostPaths paths;
    private final Pattern exclude;

    DiskstatsCollector(HostPaths paths, Pattern exclude) {
        this.paths = paths;
        this.exclude = exclude;
    }

    @Override
    public String name() {
        return "diskstats";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        for (String line : HostPaths.read(paths.proc("diskstats")).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 14) {
                continue;
            }
            String dev = f[2];
            if (exclude != null && exclude.matcher(dev).find()) {
                continue;
            }
            Map<String, String> udev = udev(f[0], f[1]);
            out.sample(
                    "node_disk_info",
                    1,
                    "device",
                    dev,
                    "major",
                    f[0],
                    "minor",
                    f[1],
                    "path",
                    udev.get("ID_PATH"),
                    "wwn",
                    udev.get("ID_WWN"),
                    "model",
                    udev.get("ID_MODEL"),
                    "serial",
                    udev.get("ID_SERIAL_SHORT"),
                    "revision",
                    udev.get("ID_REVISION"));
            int count = f.length - 3;
            for (int i = 0; i < NAMES.length && i < count; i++) {
                out.sample("node_disk_" + NAMES[i], Double.parseDouble(f[3 + i]) * FACTORS[i], "device", dev);
            }
            for (String[] info : UDEV_INFO) {
                udevInfo(out, udev, dev, info);
            }
            if (udev.get("ID_ATA") != null && !udev.get("ID_ATA").isEmpty()) {
                ata(out, udev, "ID_ATA_WRITE_CACHE", "node_disk_ata_write_cache", dev);
                ata(out, udev, "ID_ATA_WRITE_CACHE_ENABLED", "node_disk_ata_write_cache_enabled", dev);
                ata(out, udev, "ID_ATA_ROTATION_RATE_RPM", "node_disk_ata_rotation_rate_rpm", dev);
            }
        }
    }

    /**
     * An info series of {@code dev} from udev properties ({@code info}: the metric, then label name
     * and udev property pairs), written when the first property is set; labels {@code device} and the
     * pairs, in that order.
     */
    private static void udevInfo(TextOut out, Map<String, String> udev, String dev, String[] info) {
        String first = udev.get(info[2]);
        if (first == null || first.isEmpty()) {
            return;
        }
        String[] labels = new String[info.length + 1];
        labels[0] = "device";
        labels[1] = dev;
        for (int i = 1; i < info.length; i += 2) {
            labels[i + 1] = info[i];
            labels[i + 2] = udev.get(info[i + 1]);
        }
        out.sample(info[0], 1, labels);
    }

    private static void ata(TextOut out, Map<String, String> udev, String key, String metric, String dev) {
        try {
            if (udev.containsKey(key)) {
                out.sample(metric, Double.parseDouble(udev.get(key)), "device", dev);
            }
        } catch (NumberFormatException e) {
            // node_exporter logs and skips it
        }
    }

    private Map<String, String> udev(String major, String minor) {
        Map<String, String> info = new HashMap<>();
        Path p = paths.udevData().resolve("b" + major + ":" + minor);
        if (!Files.isReadable(p)) {
            return info;
        }
        try {
            for (String line : HostPaths.read(p).split("\n")) {
                if (line.startsWith("E:")) {
                    int eq = line.indexOf('=');
                    if (eq > 2) {
                        info.put(line.substring(2, eq), line.substring(eq + 1));
                    }
                }
            }
        } catch (IOException e) {
            // as node_exporter: no udev labels
        }
        return info;
    }
}
