package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.Path;

/**
 * node_exporter's {@code thermal_zone} collector: {@code node_thermal_zone_temp{zone,type}} in
 * Celsius from /sys/class/thermal/thermal_zone*, and {@code node_cooling_device_cur_state} /
 * {@code _max_state{name,type}} from cooling_device*. A zone whose temperature cannot be read
 * (a sensor that is off answers ENODATA) is left out, as procfs does.
 */
final class ThermalZoneCollector implements HostCollector {
    private final HostPaths paths;

    ThermalZoneCollector(HostPaths paths) {
        this.paths = paths;
    }

    @Override
    public String name() {
        return "thermal_zone";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        Path dir = paths.sys("class/thermal");
        for (Path z : HostPaths.list(dir, "thermal_zone*")) {
            String type = HostPaths.attr(z.resolve("type"));
            Double temp = HostPaths.number(z.resolve("temp"));
            if (type == null || temp == null) {
                continue;
            }
            out.sample(
                    "node_thermal_zone_temp",
                    temp / 1000.0,
                    "type",
                    type,
                    "zone",
                    z.getFileName().toString().substring("thermal_zone".length()));
        }
        for (Path c : HostPaths.list(dir, "cooling_device*")) {
            String type = HostPaths.attr(c.resolve("type"));
            Double max = HostPaths.number(c.resolve("max_state"));
            Double cur = HostPaths.number(c.resolve("cur_state"));
            if (type == null || max == null || cur == null) {
                continue;
            }
            String name = c.getFileName().toString().substring("cooling_device".length());
            out.sample("node_cooling_device_cur_state", cur, "name", name, "type", type);
            out.sample("node_cooling_device_max_state", max, "name", name, "type", type);
        }
    }
}
