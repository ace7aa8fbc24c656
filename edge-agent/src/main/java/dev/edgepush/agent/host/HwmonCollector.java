package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * node_exporter's {@code hwmon} collector (robots throttle when hot): every sensor file of
 * /sys/class/hwmon/hwmon* (and its device/) named {@code <type><n>_<property>}, written with
 * node_exporter's names and units: {@code node_hwmon_temp_celsius}, {@code _temp_max_celsius},
 * {@code node_hwmon_in_volts}, {@code node_hwmon_fan_rpm}, {@code node_hwmon_curr_amps}, {@code
 * node_hwmon_power_*_watt}, {@code node_hwmon_energy_joule_total}, {@code _alarm}, {@code
 * node_hwmon_sensor_label}, {@code node_hwmon_chip_names}, ... with labels {@code chip} (derived from
 * the device link as node_exporter derives it) and {@code sensor}. Rules are node_exporter 1.5's
 * {@code updateHwmon}, line for line.
 */
final class HwmonCollector implements HostCollector {
    private static final Pattern FILE = Pattern.compile("^([^0-9]+)([0-9]*)?(_(.+))?$");
    private static final Set<String> TYPES = Set.of(
            "vrm",
            "beep_enable",
            "update_interval",
            "in",
            "cpu",
            "fan",
            "pwm",
            "temp",
            "curr",
            "power",
            "energy",
            "humidity",
            "intrusion");
    private final HostPaths paths;

    HwmonCollector(HostPaths paths) {
        this.paths = paths;
    }

    @Override
    public String name() {
        return "hwmon";
    }

    static String clean(String s) {
        return s.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9:_]", "_")
                .replaceAll("^_+|_+$", "");
    }

    @Override
    public void collect(TextOut out) throws IOException {
        Path dir = paths.sys("class/hwmon");
        if (!Files.isDirectory(dir)) {
            throw new NoDataException("hwmon collector metrics are not available for this system");
        }
        IOException last = null;
        for (Path hw : HostPaths.list(dir, "*")) {
            if (!Files.isDirectory(hw)) {
                continue;
            }
            try {
                chip(out, hw);
            } catch (IOException e) {
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
    }

    private void chip(TextOut out, Path dir) throws IOException {
        String chip = chipName(dir);
        Map<String, Map<String, String>> data = new TreeMap<>();
        sensors(dir, data);
        if (Files.exists(dir.resolve("device"))) {
            sensors(dir.resolve("device"), data);
        }
        String human = HostPaths.attr(dir.resolve("name"));
        if (human != null && !clean(human).isEmpty()) {
            out.sample("node_hwmon_chip_names", 1, "chip", chip, "chip_name", clean(human));
        }
        for (Map.Entry<String, Map<String, String>> s : data.entrySet()) {
            String sensor = s.getKey();
            Map<String, String> props = s.getValue();
            Matcher sm = FILE.matcher(sensor);
            String type = sm.matches() ? sm.group(1) : sensor;
            String[] labels = {"chip", chip, "sensor", sensor};
            if (props.containsKey("label")) {
                out.sample("node_hwmon_sensor_label", 1, "chip", chip, "label", props.get("label"), "sensor", sensor);
            }
            if (type.equals("beep_enable")) {
                out.sample("node_hwmon_beep_enabled", "1".equals(props.get("")) ? 1 : 0, labels);
                continue;
            }
            if (type.equals("vrm") || type.equals("update_interval")) {
                Double v = parse(props.get(""));
                if (v != null) {
                    out.sample(
                            type.equals("vrm")
                                    ? "node_hwmon_voltage_regulator_version"
                                    : "node_hwmon_update_interval_seconds",
                            type.equals("vrm") ? v : v * 0.001,
                            labels);
                }
                continue;
            }
            String prefix = "node_hwmon_" + type;
            for (Map.Entry<String, String> p : props.entrySet()) {
                String element = p.getKey();
                if (element.equals("label")) {
                    continue;
                }
                String name = prefix;
                if (element.equals("input")) {
                    if (props.containsKey("")) {
                        name += "_input";
                    }
                } else if (!element.isEmpty()) {
                    name += "_" + clean(element);
                }
                Double v = parse(p.getValue());
                if (v == null) {
                    continue;
                }
                write(out, name, type, element, v, labels);
            }
        }
    }

    private static void write(TextOut out, String name, String type, String element, double v, String[] labels) {
        if (element.equals("fault") || element.equals("alarm")) {
            out.sample(name, v, labels);
        } else if (element.equals("beep")) {
            out.sample(name + "_enabled", v, labels);
        } else if (type.equals("in") || type.equals("cpu")) {
            out.sample(name + "_volts", v * 0.001, labels);
        } else if (type.equals("temp") && !element.equals("type")) {
            out.sample(name + "_celsius", v * 0.001, labels);
        } else if (type.equals("curr")) {
            out.sample(name + "_amps", v * 0.001, labels);
        } else if (type.equals("energy")) {
            out.sample(name + "_joule_total", v / 1e6, labels);
        } else if (type.equals("power") && element.equals("accuracy")) {
            out.sample(name, v / 1e6, labels);
        } else if (type.equals("power")
                && element.startsWith("average_interval")
                && Set.of("average_interval", "average_interval_min", "average_interval_max")
                        .contains(element)) {
            out.sample(name + "_seconds", v * 0.001, labels);
        } else if (type.equals("power")) {
            out.sample(name + "_watt", v / 1e6, labels);
        } else if (type.equals("humidity")) {
            out.sample(name, v / 1e6, labels);
        } else if (type.equals("fan") && Set.of("input", "min", "max", "target").contains(element)) {
            out.sample(name + "_rpm", v, labels);
        } else {
            out.sample(name, v, labels);
        }
    }

    private static Double parse(String s) {
        try {
            return s == null ? null : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void sensors(Path dir, Map<String, Map<String, String>> data) throws IOException {
        for (Path f : HostPaths.list(dir, "*")) {
            Matcher m = FILE.matcher(f.getFileName().toString());
            if (!m.matches() || !TYPES.contains(m.group(1)) || Files.isDirectory(f)) {
                continue;
            }
            int num = m.group(2) == null || m.group(2).isEmpty() ? 0 : Integer.parseInt(m.group(2));
            String prop = m.group(4) == null ? "" : m.group(4);
            String value = readSmall(f);
            if (value != null) {
                data.computeIfAbsent(m.group(1) + num, k -> new TreeMap<>()).put(prop, value);
            }
        }
    }

    /** node_exporter reads at most 128 bytes of a sensor file, and strips newlines only. */
    private static String readSmall(Path f) {
        try (var in = Files.newInputStream(f)) {
            byte[] b = in.readNBytes(128);
            return new String(b, java.nio.charset.StandardCharsets.UTF_8).replaceAll("^\n+|\n+$", "");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The {@code chip} label: device link's parent and name, else the name file, else the directory's own name. */
    static String chipName(Path dir) throws IOException {
        try {
            Path dev = dir.resolve("device").toRealPath();
            String devName = clean(dev.getFileName().toString());
            String devType = dev.getParent() == null || dev.getParent().getFileName() == null
                    ? ""
                    : clean(dev.getParent().getFileName().toString());
            if (!devType.isEmpty() && !devName.isEmpty()) {
                return devType + "_" + devName;
            }
            if (!devName.isEmpty()) {
                return devName;
            }
        } catch (IOException e) {
            // no device link
        }
        String name = HostPaths.attr(dir.resolve("name"));
        if (name != null && !clean(name).isEmpty()) {
            return clean(name);
        }
        String own = clean(dir.toRealPath().getFileName().toString());
        if (!own.isEmpty()) {
            return own;
        }
        throw new IOException("could not derive a monitoring name for " + dir);
    }
}
