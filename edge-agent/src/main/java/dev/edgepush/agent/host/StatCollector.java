package dev.edgepush.agent.host;

import java.io.IOException;

/**
 * node_exporter's {@code stat} collector from /proc/stat: {@code node_intr_total}, {@code
 * node_context_switches_total}, {@code node_forks_total}, {@code node_boot_time_seconds}, {@code
 * node_procs_running}, {@code node_procs_blocked} (softirq per vector is off by default there too).
 */
final class StatCollector implements HostCollector {
    private final HostPaths paths;

    StatCollector(HostPaths paths) {
        this.paths = paths;
    }

    @Override
    public String name() {
        return "stat";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        double intr = 0;
        double ctxt = 0;
        double forks = 0;
        double btime = 0;
        double running = 0;
        double blocked = 0;
        for (String line : HostPaths.read(paths.proc("stat")).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 2) {
                continue;
            }
            switch (f[0]) {
                case "intr" -> intr = Double.parseDouble(f[1]);
                case "ctxt" -> ctxt = Double.parseDouble(f[1]);
                case "processes" -> forks = Double.parseDouble(f[1]);
                case "btime" -> btime = Double.parseDouble(f[1]);
                case "procs_running" -> running = Double.parseDouble(f[1]);
                case "procs_blocked" -> blocked = Double.parseDouble(f[1]);
                default -> {}
            }
        }
        out.sample("node_intr_total", intr);
        out.sample("node_context_switches_total", ctxt);
        out.sample("node_forks_total", forks);
        out.sample("node_boot_time_seconds", btime);
        out.sample("node_procs_running", running);
        out.sample("node_procs_blocked", blocked);
    }
}
