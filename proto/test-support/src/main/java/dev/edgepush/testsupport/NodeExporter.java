package dev.edgepush.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real node_exporter (Debian's {@code prometheus-node-exporter} package, installed by
 * {@code .ci/run}): the reference the agent's host collectors are compared with, and a scrape
 * target with real host metrics.
 */
public final class NodeExporter {
    private NodeExporter() {}

    /**
     * Starts {@code prometheus-node-exporter --web.listen-address=127.0.0.1:<free port> <flags>},
     * its output in a log file under {@code logDir}; returns once {@code /metrics} answers 200.
     */
    public static ChildProcess start(Path logDir, List<String> flags) throws IOException {
        int port = Loopback.freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Executables.onPath("prometheus-node-exporter", "prometheus-node-exporter"));
        cmd.add("--web.listen-address=127.0.0.1:" + port);
        cmd.addAll(flags);
        ChildProcess child = ChildProcess.launch("node-exporter", port, logDir, cmd);
        child.awaitUp(() -> child.status("/metrics") == 200);
        return child;
    }
}
