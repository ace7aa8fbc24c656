package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.Files;

/**
 * node_exporter's {@code pressure} collector (PSI, kernel 4.20+): the {@code total=} microsecond
 * counters of /proc/pressure/{cpu,io,memory} as {@code node_pressure_cpu_waiting_seconds_total},
 * {@code node_pressure_io_waiting_seconds_total} / {@code _io_stalled_}, {@code
 * node_pressure_memory_waiting_seconds_total} / {@code _memory_stalled_} (node_exporter 1.5 has no
 * cpu "full" series, so neither do we).
 */
final class PressureCollector implements HostCollector {
    private final HostPaths paths;

    PressureCollector(HostPaths paths) {
        this.paths = paths;
    }

    @Override
    public String name() {
        return "pressure";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        for (String res : new String[] {"cpu", "io", "memory"}) {
            if (!Files.exists(paths.proc("pressure/" + res))) {
                throw new NoDataException(
                        "pressure information is unavailable (kernel >= 4.20 with CONFIG_PSI needed)");
            }
            double some = 0;
            double full = 0;
            for (String line : HostPaths.read(paths.proc("pressure/" + res)).split("\n")) {
                int t = line.indexOf("total=");
                if (t < 0) {
                    continue;
                }
                double v = Double.parseDouble(line.substring(t + 6).trim().split("\\s+")[0]) / 1e6;
                if (line.startsWith("some")) {
                    some = v;
                } else if (line.startsWith("full")) {
                    full = v;
                }
            }
            out.sample("node_pressure_" + res + "_waiting_seconds_total", some);
            if (!res.equals("cpu")) {
                out.sample("node_pressure_" + res + "_stalled_seconds_total", full);
            }
        }
    }
}
