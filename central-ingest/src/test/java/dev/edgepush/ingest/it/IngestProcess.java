package dev.edgepush.ingest.it;

import dev.edgepush.testsupport.ChildJvm;
import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * central-ingest in a child JVM (the test classpath), so tests can {@code kill -9} it for real: it
 * listens on {@code -httpListenAddr}, is up once {@code /health} answers {@code ok}, and
 * {@link #close} is a {@code kill -9}.
 */
final class IngestProcess implements AutoCloseable {
    private final ChildProcess child;
    final int port;
    final Path log;

    private IngestProcess(ChildProcess child) {
        this.child = child;
        this.port = child.port;
        this.log = child.log;
    }

    static IngestProcess start(Path workDir, int port, String... flags) throws IOException {
        IngestProcess i = launch(workDir, port, flags);
        i.child.awaitUp(() -> i.get("/health").equals("ok\n"));
        return i;
    }

    /** Starts central-ingest without waiting for it to become healthy (for a start that must fail). */
    static IngestProcess launch(Path workDir, int port, String... flags) throws IOException {
        List<String> args = new ArrayList<>();
        args.add("-httpListenAddr=127.0.0.1:" + port);
        args.addAll(List.of(flags));
        return new IngestProcess(ChildProcess.launch(
                "central-ingest",
                port,
                workDir,
                ChildJvm.command(List.of("-Xmx128m"), "dev.edgepush.ingest.Main", args)));
    }

    /**
     * Waits up to {@code timeout} for the process to exit by itself; returns its exit code, or
     * throws when it is still running (for a start that must fail).
     */
    int awaitExit(Duration timeout) throws InterruptedException {
        return child.awaitExit(timeout);
    }

    String get(String path) throws IOException {
        return child.get(path, Duration.ofSeconds(5));
    }

    /** SIGKILL: no shutdown hook, no flush, exactly what {@code kill -9} does. */
    void kill9() throws InterruptedException {
        child.kill9();
    }

    long pid() {
        return child.pid();
    }

    String logText() {
        return child.logText();
    }

    static void pause(long ms) {
        ChildProcess.pause(ms);
    }

    @Override
    public void close() {
        child.kill();
    }
}
