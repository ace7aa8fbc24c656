package dev.edgepush.testsupport;

import java.util.ArrayList;
import java.util.List;

/**
 * A real vmalert (Debian's {@code victoria-metrics} package, installed by {@code .ci/run}): the
 * rules and alerts of the fleet evaluated as in production.
 */
public final class Vmalert {
    private Vmalert() {}

    /**
     * {@code vmalert <flags> -httpListenAddr=127.0.0.1:<port>}, not started: the caller chooses the
     * port first (e.g. for a proxy flag of another child), then its log and probe.
     */
    public static ChildProcessBuilder builder(int port, List<String> flags) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Executables.onPath("vmalert", "victoria-metrics"));
        cmd.addAll(flags);
        cmd.add("-httpListenAddr=127.0.0.1:" + port);
        return ChildProcess.builder("vmalert", port, cmd);
    }
}
