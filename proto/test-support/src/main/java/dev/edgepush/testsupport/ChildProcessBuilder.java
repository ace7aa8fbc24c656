package dev.edgepush.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** How to run a child: its command, environment, log file and limits. */
public final class ChildProcessBuilder {
    final String name;
    final int port;
    final List<String> command;
    Map<String, String> environment = Map.of();
    private Path logDir;
    private Path logFile;
    Duration startTimeout = ChildProcess.START_TIMEOUT;
    Duration stopGrace = ChildProcess.CLOSE_GRACE;
    ChildProcess.Probe probe;
    Consumer<ProcessBuilder> customizer = pb -> {};

    ChildProcessBuilder(String name, int port, List<String> command) {
        this.name = name;
        this.port = port;
        this.command = List.copyOf(command);
    }

    /** Variables added to the inherited environment. */
    public ChildProcessBuilder environment(Map<String, String> env) {
        this.environment = Map.copyOf(env);
        return this;
    }

    /** Output to a new {@code <dir>/<name>-<nanoTime>.log} (the default is the working directory). */
    public ChildProcessBuilder logDir(Path dir) {
        this.logDir = dir;
        this.logFile = null;
        return this;
    }

    /** Output appended to {@code file}, the same file across {@link ChildProcess#restart}s. */
    public ChildProcessBuilder log(Path file) {
        this.logFile = file;
        this.logDir = null;
        return this;
    }

    /** How long a start may take before it fails ({@link ChildProcess#START_TIMEOUT} if not set). */
    public ChildProcessBuilder startTimeout(Duration timeout) {
        this.startTimeout = timeout;
        return this;
    }

    /** How long SIGTERM gets in {@link ChildProcess#close} before SIGKILL (10 s if not set). */
    public ChildProcessBuilder stopGrace(Duration grace) {
        this.stopGrace = grace;
        return this;
    }

    /** What says the child is up; {@code /health} answering 200 if not set. */
    public ChildProcessBuilder probe(ChildProcess.Probe probe) {
        this.probe = probe;
        return this;
    }

    /**
     * A last say over the {@link ProcessBuilder} before each start, after the environment
     * variables above: e.g. a cleared environment, a working directory, stdin.
     */
    public ChildProcessBuilder customize(Consumer<ProcessBuilder> customizer) {
        this.customizer = customizer;
        return this;
    }

    /** Starts the child without waiting for anything. */
    public ChildProcess launch() throws IOException {
        ChildProcess c = build();
        c.spawn();
        return c;
    }

    /** The child, not started yet: {@link ChildProcess#restart} starts it. */
    public ChildProcess build() throws IOException {
        Path log;
        if (logFile != null) {
            if (logFile.getParent() != null) {
                Files.createDirectories(logFile.getParent());
            }
            log = logFile;
        } else {
            Path dir = logDir != null ? logDir : Path.of("");
            Files.createDirectories(dir.toAbsolutePath());
            log = dir.resolve(name + "-" + System.nanoTime() + ".log");
        }
        return new ChildProcess(this, log);
    }

    /** Starts the child and returns once its probe says it is up (see {@link ChildProcess#awaitUp()}). */
    public ChildProcess start() throws IOException {
        ChildProcess c = launch();
        c.awaitUp();
        return c;
    }
}
