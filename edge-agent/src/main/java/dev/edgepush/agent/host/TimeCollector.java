package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * node_exporter's {@code time} collector: {@code node_time_seconds}, {@code
 * node_time_zone_offset_seconds{time_zone}} (the zone's abbreviation, e.g. UTC or CET), and {@code
 * node_time_clocksource_available_info} / {@code _current_info{device,clocksource}} from
 * /sys/devices/system/clocksource/clocksource*.
 */
final class TimeCollector implements HostCollector {
    private final HostPaths paths;
    private final Supplier<Instant> clock;

    TimeCollector(HostPaths paths, Supplier<Instant> clock) {
        this.paths = paths;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "time";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        Instant now = clock.get();
        out.sample("node_time_seconds", now.getEpochSecond() + now.getNano() / 1e9);
        ZonedDateTime z = now.atZone(ZoneId.systemDefault());
        String abbrev = z.getZone().getId().equals("Z")
                        || z.getZone().getId().equals("UTC")
                        || z.getZone().getId().equals("Etc/UTC")
                ? "UTC"
                : java.time.format.DateTimeFormatter.ofPattern("zzz", Locale.ROOT)
                        .format(z);
        out.sample("node_time_zone_offset_seconds", z.getOffset().getTotalSeconds(), "time_zone", abbrev);
        List<Path> sources = HostPaths.list(paths.sys("devices/system/clocksource"), "clocksource[0-9]*");
        for (int i = 0; i < sources.size(); i++) {
            String dev = Integer.toString(i);
            String avail = HostPaths.attr(sources.get(i).resolve("available_clocksource"));
            if (avail != null) {
                for (String cs : avail.split("\\s+")) {
                    if (!cs.isEmpty()) {
                        out.sample("node_time_clocksource_available_info", 1, "clocksource", cs, "device", dev);
                    }
                }
            }
            String cur = HostPaths.attr(sources.get(i).resolve("current_clocksource"));
            if (cur != null) {
                out.sample("node_time_clocksource_current_info", 1, "clocksource", cur, "device", dev);
            }
        }
    }
}
