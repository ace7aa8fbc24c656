package dev.edgepush.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real vmagent (Debian's {@code victoria-metrics} package, installed by {@code .ci/run}): the
 * reference an edge-agent is compared with, and a second kind of client of central-ingest.
 */
public final class Vmagent {
    private Vmagent() {}

    /**
     * Starts {@code vmagent <flags> -httpListenAddr=127.0.0.1:<free port>}, its output in a log file
     * under {@code logDir}; returns once {@code /health} answers 200.
     */
    public static ChildProcess start(Path logDir, List<String> flags) throws IOException {
        int port = Loopback.freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Executables.onPath("vmagent", "victoria-metrics"));
        cmd.addAll(flags);
        cmd.add("-httpListenAddr=127.0.0.1:" + port);
        return ChildProcess.start("vmagent", port, logDir, cmd);
    }
}
