package dev.edgepush.agent.host;

import java.io.IOException;

/**
 * node_exporter's {@code meminfo} collector: every line of /proc/meminfo as {@code
 * node_memory_<Key>_bytes} (kB times 1024; {@code Active(anon)} becomes {@code Active_anon}) or,
 * without a unit, {@code node_memory_<Key>} (HugePages_Total and the like).
 */
final class MeminfoCollector implements HostCollector {
    private static final java.util.regex.Pattern PARENS = java.util.regex.Pattern.compile("\\((.*)\\)");
    private final HostPaths paths;

    MeminfoCollector(HostPaths paths) {
        this.paths = paths;
    }

    @Override
    public String name() {
        return "meminfo";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        for (String line : HostPaths.read(paths.proc("meminfo")).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 2 || f[0].isEmpty()) {
                continue;
            }
            double v = Double.parseDouble(f[1]);
            String key = f[0].substring(0, f[0].length() - 1);
            if (key.indexOf('(') >= 0) {
                key = PARENS.matcher(key).replaceAll("_$1");
            }
            if (f.length == 3) {
                v *= 1024;
                key += "_bytes";
            } else if (f.length != 2) {
                throw new IOException("invalid line in meminfo: " + line);
            }
            out.sample("node_memory_" + key, v);
        }
    }
}
