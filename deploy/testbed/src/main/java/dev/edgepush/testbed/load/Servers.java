package dev.edgepush.testbed.load;

import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The servers the load benchmarks start (VictoriaMetrics, vmagent, central-ingest) on a loopback
 * port: output in {@code <logDir>/<name>.log}, up once {@code /health} answers 200 (within 60 s),
 * stopped with SIGTERM (SIGKILL after 15 s).
 */
public final class Servers {
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration GET_TIMEOUT = Duration.ofSeconds(60);

    private Servers() {}

    /** Starts {@code command} with {@code env} added to the environment; returns once it is up. */
    public static ChildProcess start(String name, int port, Path logDir, List<String> command, Map<String, String> env)
            throws IOException {
        Path log = logDir.resolve(name + ".log");
        Files.deleteIfExists(log); // one run's output per file, as the reports expect
        return ChildProcess.builder(name, port, command)
                .environment(env)
                .log(log)
                .startTimeout(START_LIMIT)
                .stopGrace(STOP_GRACE)
                .start();
    }

    /** The body of a GET of {@code pathAndQuery}; an IOException for a status other than 200. */
    public static String get(ChildProcess server, String pathAndQuery) throws IOException {
        return server.getOk(pathAndQuery, GET_TIMEOUT);
    }
}
