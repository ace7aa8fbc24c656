package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * node_exporter's {@code powersupplyclass} collector (a robot's battery): for each
 * /sys/class/power_supply/&lt;name&gt;, {@code node_power_supply_<attribute>{power_supply}} in
 * node_exporter's units (µA, µV, µWh, µW divided by 10^6 to A, V, Wh, W; tenths of a degree to
 * Celsius; {@code *_now} renamed as it does: current_ampere, voltage_volt, energy_watthour,
 * charge_ampere, power_watt, time_to_empty_seconds, ...), and {@code node_power_supply_info} with
 * the text attributes as labels. No /sys/class/power_supply: no data (success 0), as node_exporter.
 */
final class PowerSupplyCollector implements HostCollector {
    /** sysfs attribute -> node_exporter metric suffix, and the divisor to its unit. */
    private static final Map<String, Object[]> NUMERIC = Map.ofEntries(
            e("authentic", "authentic", 1),
            e("calibrate", "calibrate", 1),
            e("capacity", "capacity", 1),
            e("capacity_alert_max", "capacity_alert_max", 1),
            e("capacity_alert_min", "capacity_alert_min", 1),
            e("cycle_count", "cyclecount", 1),
            e("online", "online", 1),
            e("present", "present", 1),
            e("time_to_empty_now", "time_to_empty_seconds", 1),
            e("time_to_full_now", "time_to_full_seconds", 1),
            e("current_boot", "current_boot", 1e6),
            e("current_max", "current_max", 1e6),
            e("current_now", "current_ampere", 1e6),
            e("energy_empty", "energy_empty", 1e6),
            e("energy_empty_design", "energy_empty_design", 1e6),
            e("energy_full", "energy_full", 1e6),
            e("energy_full_design", "energy_full_design", 1e6),
            e("energy_now", "energy_watthour", 1e6),
            e("voltage_boot", "voltage_boot", 1e6),
            e("voltage_max", "voltage_max", 1e6),
            e("voltage_max_design", "voltage_max_design", 1e6),
            e("voltage_min", "voltage_min", 1e6),
            e("voltage_min_design", "voltage_min_design", 1e6),
            e("voltage_now", "voltage_volt", 1e6),
            e("voltage_ocv", "voltage_ocv", 1e6),
            e("charge_control_limit", "charge_control_limit", 1e6),
            e("charge_control_limit_max", "charge_control_limit_max", 1e6),
            e("charge_counter", "charge_counter", 1e6),
            e("charge_empty", "charge_empty", 1e6),
            e("charge_empty_design", "charge_empty_design", 1e6),
            e("charge_full", "charge_full", 1e6),
            e("charge_full_design", "charge_full_design", 1e6),
            e("charge_now", "charge_ampere", 1e6),
            e("charge_term_current", "charge_term_current", 1e6),
            e("constant_charge_current", "constant_charge_current", 1e6),
            e("constant_charge_current_max", "constant_charge_current_max", 1e6),
            e("constant_charge_voltage", "constant_charge_voltage", 1e6),
            e("constant_charge_voltage_max", "constant_charge_voltage_max", 1e6),
            e("precharge_current", "precharge_current", 1e6),
            e("input_current_limit", "input_current_limit", 1e6),
            e("power_now", "power_watt", 1e6),
            e("temp", "temp_celsius", 10),
            e("temp_alert_max", "temp_alert_max_celsius", 10),
            e("temp_alert_min", "temp_alert_min_celsius", 10),
            e("temp_ambient", "temp_ambient_celsius", 10),
            e("temp_ambient_max", "temp_ambient_max_celsius", 10),
            e("temp_ambient_min", "temp_ambient_min_celsius", 10),
            e("temp_max", "temp_max_celsius", 10),
            e("temp_min", "temp_min_celsius", 10));
    /** Text attributes that become labels of node_power_supply_info. */
    private static final String[] INFO = {
        "capacity_level",
        "charge_type",
        "health",
        "manufacturer",
        "model_name",
        "serial_number",
        "status",
        "technology",
        "type",
        "usb_type",
        "scope"
    };

    private final HostPaths paths;

    PowerSupplyCollector(HostPaths paths) {
        this.paths = paths;
    }

    private static Map.Entry<String, Object[]> e(String attr, String metric, double div) {
        return Map.entry(attr, new Object[] {metric, div});
    }

    @Override
    public String name() {
        return "powersupplyclass";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        Path dir = paths.sys("class/power_supply");
        if (!Files.isDirectory(dir)) {
            throw new NoDataException("no " + dir);
        }
        for (Path ps : HostPaths.list(dir, "*")) {
            String name = ps.getFileName().toString();
            for (Path attr : HostPaths.list(ps, "*")) {
                Object[] m = NUMERIC.get(attr.getFileName().toString());
                if (m == null || !Files.isRegularFile(attr)) {
                    continue;
                }
                String s = HostPaths.attr(attr);
                try {
                    out.sample("node_power_supply_" + m[0], Long.parseLong(s) / (double) m[1], "power_supply", name);
                } catch (NumberFormatException | NullPointerException e) {
                    // procfs leaves an unparsable attribute out
                }
            }
            List<String> labels = new ArrayList<>(List.of("power_supply", name));
            for (String key : INFO) {
                String v = HostPaths.attr(ps.resolve(key));
                if (v != null && !v.isEmpty()) {
                    labels.add(key);
                    labels.add(v);
                }
            }
            out.sample("node_power_supply_info", 1, labels.toArray(new String[0]));
        }
    }
}
