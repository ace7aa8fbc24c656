package dev.edgepush.testbed.bench;

import dev.edgepush.testsupport.ChildProcess;
import dev.edgepush.testsupport.ChildProcessBuilder;
import dev.edgepush.testsupport.VictoriaMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every process the benchmark starts. A JVM shutdown hook stops the ones still alive (SIGTERM, then
 * SIGKILL after a grace period), so an interrupted or failing run leaves nothing behind; once that
 * began, nothing new is started. Only processes started here are ever signalled, by their own
 * handle.
 */
final class ChildProcesses implements AutoCloseable {
    /** Time a child gets to exit after SIGTERM before it is killed; VictoriaMetrics flushes. */
    static final long GRACE_MS = 30_000;

    /** How to stop each child, in the order they were started. */
    private final List<Runnable> started = new CopyOnWriteArrayList<>();

    private boolean closing; // guarded by this

    ChildProcesses() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "bench-children-shutdown"));
    }

    /**
     * Starts {@code command} with stdout and stderr appended to {@code log}; {@code port} is where
     * it serves HTTP (0 if none).
     *
     * @throws IOException when it cannot be started, or the runner is shutting down
     */
    ChildProcess start(String name, int port, List<String> command, Path log) throws IOException {
        return start(name, ChildProcess.builder(name, port, command).log(log));
    }

    /** As {@link #start(String, int, List, Path)}, returning once {@code /health} on {@code port} answers 200. */
    ChildProcess startUp(String name, int port, List<String> command, Path log) throws IOException {
        ChildProcess p = start(name, port, command, log);
        p.awaitUp();
        return p;
    }

    /** Starts {@code command} with stdout readable by the caller and stderr appended to {@code log}. */
    ChildProcess startPiped(String name, List<String> command, Path log) throws IOException {
        return start(
                name,
                ChildProcess.builder(name, 0, command)
                        .log(log)
                        .customize(pb -> pb.redirectErrorStream(false)
                                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))));
    }

    // Synchronized with close(): a process is either refused or in the list close() walks.
    private synchronized ChildProcess start(String name, ChildProcessBuilder b) throws IOException {
        if (closing) {
            throw new IOException("shutting down: not starting " + name);
        }
        ChildProcess p = b.stopGrace(Duration.ofMillis(GRACE_MS)).launch();
        started.add(() -> {
            if (p.isAlive()) {
                stop(p);
            }
        });
        return p;
    }

    /**
     * Starts a VictoriaMetrics on a free port, {@code storage} its data and its output appended to
     * {@code log}; returns once it answers {@code /health}. Stopping it stops it as
     * {@link #stop(ChildProcess)} does (SIGTERM, SIGKILL after 30 s).
     *
     * @throws IOException when it cannot be started, or the runner is shutting down
     */
    synchronized VictoriaMetrics startVictoriaMetrics(Path storage, Path log) throws IOException {
        if (closing) {
            throw new IOException("shutting down: not starting victoria-metrics");
        }
        VictoriaMetrics vm = new VictoriaMetrics(storage, log, Http.freePort());
        started.add(vm::stop);
        return vm;
    }

    /** SIGTERM, wait up to {@link #GRACE_MS}, then SIGKILL. Returns the exit code, -1 if unknown. */
    static int stop(ChildProcess p) {
        try {
            return p.terminate(Duration.ofMillis(GRACE_MS));
        } catch (InterruptedException e) {
            p.kill();
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Stops every child still alive, the most recent first; later starts are still allowed. */
    void stopAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).run();
        }
    }

    /** Stops every child still alive and refuses new ones. */
    @Override
    public void close() {
        synchronized (this) {
            closing = true;
        }
        stopAll();
    }
}
