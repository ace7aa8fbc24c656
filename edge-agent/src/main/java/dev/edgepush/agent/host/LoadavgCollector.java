package dev.edgepush.agent.host;

import java.io.IOException;

/** node_exporter's {@code loadavg} collector: {@code node_load1}, {@code node_load5}, {@code node_load15}. */
final class LoadavgCollector implements HostCollector {
    private final HostPaths paths;

    LoadavgCollector(HostPaths paths) {
        this.paths = paths;
    }

    @Override
    public String name() {
        return "loadavg";
    }

    @Override
    public void collect(TextOut out) throws IOException {
        String[] f = HostPaths.read(paths.proc("loadavg")).trim().split("\\s+");
        if (f.length < 3) {
            throw new IOException("unexpected /proc/loadavg: " + String.join(" ", f));
        }
        out.sample("node_load1", Double.parseDouble(f[0]));
        out.sample("node_load5", Double.parseDouble(f[1]));
        out.sample("node_load15", Double.parseDouble(f[2]));
    }
}
