package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * node_exporter's {@code netdev} collector with its defaults (netlink statistics, legacy names):
 * {@code node_network_<stat>_total{device}}. node_exporter reads the kernel's 64-bit link
 * statistics over netlink; the same counters are in /proc/net/dev (see {@link #collect}) and
 * /sys/class/net/&lt;dev&gt;/statistics, which are folded into node_exporter's legacy names exactly as its {@code legacy()} does
 * (receive_drop = rx_dropped + rx_missed_errors, receive_frame = frame + length + over + crc
 * errors, transmit_carrier = carrier + aborted + heartbeat + window errors, ...).
 */
final class NetdevCollector implements HostCollector {
    private static final String[] STATS = {
        "rx_packets",
        "tx_packets",
        "rx_bytes",
        "tx_bytes",
        "rx_errors",
        "tx_errors",
        "rx_dropped",
        "tx_dropped",
        "multicast",
        "collisions",
        "rx_length_errors",
        "rx_over_errors",
        "rx_crc_errors",
        "rx_frame_errors",
        "rx_fifo_errors",
        "rx_missed_errors",
        "tx_aborted_errors",
        "tx_carrier_errors",
        "tx_fifo_errors",
        "tx_heartbeat_errors",
        "tx_window_errors",
        "rx_compressed",
        "tx_compressed",
        "rx_nohandler"
    };
    private final HostPaths paths;
    private final Pattern exclude; // null: none
    private final Pattern include; // null: all

    NetdevCollector(HostPaths paths, Pattern exclude, Pattern include) {
        this.paths = paths;
        this.exclude = exclude;
        this.include = include;
    }

    @Override
    public String name() {
        return "netdev";
    }

    /** The columns of /proc/net/dev, as node_exporter's legacy names. */
    private static final String[] PROC_COLUMNS = {
        "receive_bytes",
        "receive_packets",
        "receive_errs",
        "receive_drop",
        "receive_fifo",
        "receive_frame",
        "receive_compressed",
        "receive_multicast",
        "transmit_bytes",
        "transmit_packets",
        "transmit_errs",
        "transmit_drop",
        "transmit_fifo",
        "transmit_colls",
        "transmit_carrier",
        "transmit_compressed"
    };

    /**
     * The kernel prints /proc/net/dev from the same 64-bit link statistics netlink returns, already
     * folded as node_exporter's legacy() folds them (drop = rx_dropped + rx_missed_errors, frame =
     * length + over + crc + frame errors, carrier = carrier + aborted + window + heartbeat errors):
     * one read for every device instead of 24 files each. Only rx_nohandler is not there; it is read
     * from /sys/class/net/&lt;dev&gt;/statistics. Without /proc/net/dev, everything is read from sysfs.
     */
    @Override
    public void collect(TextOut out) throws IOException {
        Path procNetDev = paths.proc("net/dev");
        if (!Files.exists(procNetDev)) {
            collectSysfs(out);
            return;
        }
        for (String line : HostPaths.read(procNetDev).split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.contains("|")) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            if (!wanted(name)) {
                continue;
            }
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (f.length < PROC_COLUMNS.length) {
                continue;
            }
            Map<String, Double> m = new TreeMap<>();
            for (int i = 0; i < PROC_COLUMNS.length; i++) {
                m.put(PROC_COLUMNS[i], Double.parseDouble(f[i]));
            }
            Double nohandler = HostPaths.number(paths.sys("class/net/" + name + "/statistics/rx_nohandler"));
            if (nohandler != null) {
                m.put("receive_nohandler", nohandler);
            }
            m.forEach((k, v) -> out.sample("node_network_" + k + "_total", v, "device", name));
        }
    }

    private boolean wanted(String name) {
        return (exclude == null || !exclude.matcher(name).find())
                && (include == null || include.matcher(name).find());
    }

    private void collectSysfs(TextOut out) throws IOException {
        for (Path dev : HostPaths.list(paths.sys("class/net"), "*")) {
            String name = dev.getFileName().toString();
            Path stats = dev.resolve("statistics");
            if (!Files.isDirectory(stats) || !wanted(name)) {
                continue;
            }
            Map<String, Double> m = new TreeMap<>();
            for (String s : STATS) {
                Double v = HostPaths.number(stats.resolve(s));
                if (v != null) {
                    m.put(s.replaceFirst("^rx_", "receive_").replaceFirst("^tx_", "transmit_"), v);
                }
            }
            legacy(m);
            m.forEach((k, v) -> out.sample("node_network_" + k + "_total", v, "device", name));
        }
    }

    /** node_exporter's legacy(): the netlink names folded into the /proc/net/dev names dashboards use. */
    static void legacy(Map<String, Double> m) {
        move(m, "receive_errors", "receive_errs");
        if (m.containsKey("receive_dropped")) {
            m.put("receive_drop", m.remove("receive_dropped") + popz(m, "receive_missed_errors"));
        }
        move(m, "receive_fifo_errors", "receive_fifo");
        if (m.containsKey("receive_frame_errors")) {
            m.put(
                    "receive_frame",
                    m.remove("receive_frame_errors")
                            + popz(m, "receive_length_errors")
                            + popz(m, "receive_over_errors")
                            + popz(m, "receive_crc_errors"));
        }
        move(m, "multicast", "receive_multicast");
        move(m, "transmit_errors", "transmit_errs");
        move(m, "transmit_dropped", "transmit_drop");
        move(m, "transmit_fifo_errors", "transmit_fifo");
        move(m, "collisions", "transmit_colls");
        if (m.containsKey("transmit_carrier_errors")) {
            m.put(
                    "transmit_carrier",
                    m.remove("transmit_carrier_errors")
                            + popz(m, "transmit_aborted_errors")
                            + popz(m, "transmit_heartbeat_errors")
                            + popz(m, "transmit_window_errors"));
        }
    }

    private static void move(Map<String, Double> m, String from, String to) {
        Double v = m.remove(from);
        if (v != null) {
            m.put(to, v);
        }
    }

    private static double popz(Map<String, Double> m, String key) {
        Double v = m.remove(key);
        return v == null ? 0 : v;
    }
}
