package dev.edgepush.agent.host;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * node_exporter's {@code cpu} collector (its defaults: guest on, info off): {@code
 * node_cpu_seconds_total{cpu,mode}} and {@code node_cpu_guest_seconds_total{cpu,mode}} from
 * /proc/stat (USER_HZ 100, as procfs assumes), {@code node_cpu_core_throttles_total{core,package}}
 * and {@code node_cpu_package_throttles_total{package}} from thermal_throttle, {@code
 * node_cpu_isolated{cpu}}. As node_exporter, a counter that goes backwards keeps its last value and
 * a CPU whose idle time drops by 3 s or more (it went offline and came back) starts again.
 * Unlike node_exporter 1.5 (which numbered CPUs by their position in /proc/stat), the {@code cpu}
 * label is the CPU's own number, so an offline CPU does not shift the others' labels (later
 * node_exporter versions do the same).
 */
final class CpuCollector implements HostCollector {
    private static final String[] MODES = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
    private static final double USER_HZ = 100.0;
    private static final double JUMP_BACK_SECONDS = 3.0;
    private final HostPaths paths;
    /** Per CPU: the 10 fields of /proc/stat in seconds, as last reported. */
    private final Map<Integer, double[]> last = new TreeMap<>();

    CpuCollector(HostPaths paths) {
        this.paths = paths;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        Map<Integer, double[]> now = new TreeMap<>();
        for (String line : HostPaths.read(paths.proc("stat")).split("\n")) {
            if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
                String[] f = line.trim().split("\\s+");
                double[] v = new double[10];
                for (int i = 1; i < f.length && i <= 10; i++) {
                    v[i - 1] = Long.parseLong(f[i]) / USER_HZ;
                }
                now.put(Integer.parseInt(f[0].substring(3)), v);
            }
        }
        last.keySet().retainAll(now.keySet());
        for (Map.Entry<Integer, double[]> e : now.entrySet()) {
            double[] v = e.getValue();
            double[] kept = last.get(e.getKey());
            if (kept == null || kept[3] - v[3] >= JUMP_BACK_SECONDS) {
                kept = new double[10];
                last.put(e.getKey(), kept);
            }
            for (int i = 0; i < 10; i++) {
                kept[i] = Math.max(kept[i], v[i]);
            }
            String cpu = Integer.toString(e.getKey());
            for (int i = 0; i < MODES.length; i++) {
                out.sample("node_cpu_seconds_total", kept[i], "cpu", cpu, "mode", MODES[i]);
            }
            out.sample("node_cpu_guest_seconds_total", kept[8], "cpu", cpu, "mode", "user");
            out.sample("node_cpu_guest_seconds_total", kept[9], "cpu", cpu, "mode", "nice");
        }
        isolated(out);
        throttles(out);
    }

    private void isolated(TextOut out) {
        String list = HostPaths.attr(paths.sys("devices/system/cpu/isolated"));
        if (list == null || list.isEmpty()) {
            return;
        }
        for (String part : list.split(",")) {
            String[] r = part.trim().split("-");
            int from = Integer.parseInt(r[0]);
            int to = r.length > 1 ? Integer.parseInt(r[1]) : from;
            for (int c = from; c <= to; c++) {
                out.sample("node_cpu_isolated", 1, "cpu", Integer.toString(c));
            }
        }
    }

    private void throttles(TextOut out) throws IOException {
        Map<Long, Double> packages = new TreeMap<>();
        Map<Long, Map<Long, Double>> cores = new TreeMap<>();
        for (Path cpu : HostPaths.list(paths.sys("devices/system/cpu"), "cpu[0-9]*")) {
            Double pkg = HostPaths.number(cpu.resolve("topology/physical_package_id"));
            Double core = HostPaths.number(cpu.resolve("topology/core_id"));
            if (pkg == null || core == null) {
                continue;
            }
            Map<Long, Double> coreMap = cores.computeIfAbsent(pkg.longValue(), k -> new TreeMap<>());
            if (!coreMap.containsKey(core.longValue())) {
                Double n = HostPaths.number(cpu.resolve("thermal_throttle/core_throttle_count"));
                if (n != null) {
                    coreMap.put(core.longValue(), n);
                }
            }
            if (!packages.containsKey(pkg.longValue())) {
                Double n = HostPaths.number(cpu.resolve("thermal_throttle/package_throttle_count"));
                if (n != null) {
                    packages.put(pkg.longValue(), n);
                }
            }
        }
        packages.forEach((p, n) -> out.sample("node_cpu_package_throttles_total", n, "package", Long.toString(p)));
        cores.forEach((p, m) -> m.forEach((c, n) ->
                out.sample("node_cpu_core_throttles_total", n, "core", Long.toString(c), "package", Long.toString(p))));
    }
}
