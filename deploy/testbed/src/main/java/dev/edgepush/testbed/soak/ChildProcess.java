package dev.edgepush.testbed.soak;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A child process the soak can start, {@code kill -9}, stop and start again with the same
 * command line; output is appended to one log file across restarts.
 */
public final class ChildProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final Path log;
    private final BooleanSupplier healthy;
    private Process process;

    public ChildProcess(String name, List<String> command, Path log, BooleanSupplier healthy) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
        this.healthy = healthy;
    }

    String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** Starts the process and waits until it is healthy (or fails, naming its log). */
    public synchronized void start(Duration healthyWithin) throws IOException {
        if (alive()) {
            throw new IllegalStateException(name + " is already running");
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + healthyWithin.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " at start; see " + log);
            }
            if (healthy.getAsBoolean()) {
                return;
            }
            sleep(100);
        }
        throw new IOException(name + " was not healthy within " + healthyWithin.toSeconds() + " s; see " + log);
    }

    /** SIGKILL, exactly {@code kill -9}; returns once the process is gone. */
    public synchronized void kill9() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** SIGTERM, then SIGKILL after {@code grace}. */
    public synchronized void stop(Duration grace) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            stop(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
