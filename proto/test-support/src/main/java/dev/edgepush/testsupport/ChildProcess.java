package dev.edgepush.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One child process of a test (a JVM built by {@link ChildJvm}, vmagent, node-exporter, ...) with
 * its output (stdout and stderr) in a log file of its own, shown in every failure, and the loopback
 * port it serves HTTP on (0 if none). {@link #start} returns once the child is up, and fails at once,
 * with the log, when it exits or (a JVM) its main thread dies. {@link #kill9} is a real
 * {@code kill -9}; {@link #close} stops it with SIGTERM (SIGKILL after 10 s), so nothing outlives
 * the test. A child made by a {@link ChildProcessBuilder} can also have environment variables, a log file of its
 * own choosing (appended to across {@link #restart}s) and its own start and stop limits.
 */
public final class ChildProcess implements AutoCloseable {
    /** Shared by the tests' plain-HTTP requests to their children. */
    public static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /**
     * How long a child gets to come up: generous, because on a loaded 2-core machine a JVM start can
     * take tens of seconds. A child that cannot start does not cost this long: {@link #awaitUp}
     * fails as soon as the process exits or (a JVM) its main thread dies.
     */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** What a JVM prints when {@code main} throws; the process may live on (non-daemon threads). */
    public static final String MAIN_DIED = "Exception in thread \"main\"";

    static final Duration CLOSE_GRACE = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Says whether the child is up: e.g. {@code /health} over https, for a child that speaks TLS only. */
    @FunctionalInterface
    public interface Probe {
        boolean up() throws IOException;
    }

    public final String name;
    public final int port;
    /**
     * Where the child's stdout and stderr go: {@code <logDir>/<name>-<nanoTime>.log}, or the file
     * given to {@link ChildProcessBuilder#log}.
     */
    public final Path log;

    private final List<String> command;
    private final Map<String, String> environment;
    private final Duration startTimeout;
    private final Duration stopGrace;
    private final Probe probe;
    private final Consumer<ProcessBuilder> customizer;
    private volatile Process process;
    /** Where in {@link #log} the current run's output starts (the log is appended to across restarts). */
    private volatile long logOffset;

    ChildProcess(ChildProcessBuilder b, Path log) {
        this.name = b.name;
        this.port = b.port;
        this.log = log;
        this.command = List.copyOf(b.command);
        this.environment = Map.copyOf(b.environment);
        this.startTimeout = b.startTimeout;
        this.stopGrace = b.stopGrace;
        this.probe = b.probe;
        this.customizer = b.customizer;
    }

    /** A child running {@code command}, served on {@code port} (0 if none); see the setters. */
    public static ChildProcessBuilder builder(String name, int port, List<String> command) {
        return new ChildProcessBuilder(name, port, command);
    }

    void spawn() throws IOException {
        logOffset = Files.exists(log) ? Files.size(log) : 0;
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(environment);
        customizer.accept(pb);
        process = pb.start();
    }

    /**
     * Starts the command (again, after a kill or stop; first, for a child from
     * {@link ChildProcessBuilder#build}), its output appended to the same log, and waits until it is up.
     *
     * @throws IllegalStateException when it is still running, or (with the log) does not come up
     */
    public synchronized void restart() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        spawn();
        awaitUp();
    }

    /** Waits until the builder's probe (or {@code /health} answering 200) says the child is up. */
    public void awaitUp() throws IOException {
        awaitUp(probe != null ? probe : () -> status("/health") == 200);
    }

    /** Starts {@code command} and waits until {@code http://127.0.0.1:port/health} answers 200. */
    public static ChildProcess start(String name, int port, Path logDir, List<String> command) throws IOException {
        return start(name, port, logDir, command, null);
    }

    /** As {@link #start(String, int, Path, List)}, up once {@code probe} (if not null) says so. */
    public static ChildProcess start(String name, int port, Path logDir, List<String> command, Probe probe)
            throws IOException {
        return builder(name, port, command).logDir(logDir).probe(probe).start();
    }

    /** Starts {@code command} without waiting for anything (e.g. for a start that must fail). */
    public static ChildProcess launch(String name, int port, Path logDir, List<String> command) throws IOException {
        return builder(name, port, command).logDir(logDir).launch();
    }

    /**
     * Waits up to the start timeout ({@link #START_TIMEOUT} unless the builder set one) until {@code probe} says the child is up (an
     * {@link IOException} from it means: not yet).
     *
     * @throws IllegalStateException with the log when the child exits, its main thread dies or it is
     *     not up in time; the child is killed first
     */
    public void awaitUp(Probe probe) throws IOException {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                assertAlive();
            } catch (IllegalStateException e) {
                kill();
                throw e;
            }
            try {
                if (probe.up()) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            pause(50);
        }
        kill();
        throw new IllegalStateException(name + " did not become healthy in " + startTimeout + ":\n" + runLog());
    }

    /**
     * Fails with the log if the child has exited or (a JVM) its main thread died, so a wait for a
     * child that cannot come up ends at once instead of at its deadline.
     */
    public void assertAlive() {
        if (process == null) {
            throw new IllegalStateException(name + " was not started");
        }
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + runLog());
        }
        String out = runLog();
        if (out.contains(MAIN_DIED)) {
            throw new IllegalStateException(name + "'s main thread died:\n" + out);
        }
    }

    public long pid() {
        return process.pid();
    }

    /**
     * The child's stdout, when a {@link ChildProcessBuilder#customize} hook made it a pipe
     * ({@link ProcessBuilder.Redirect#PIPE}); otherwise (output to the log) an empty stream.
     */
    public InputStream stdout() {
        return process.getInputStream();
    }

    /**
     * The exit code of the child's last run.
     *
     * @throws IllegalThreadStateException while it is running
     */
    public int exitValue() {
        return process.exitValue();
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** The status code of a GET of {@code path} on the child's port. */
    public int status(String path) throws IOException {
        return send(path, Duration.ofSeconds(5), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** The body of a GET of {@code pathAndQuery} on the child's port, whatever its status. */
    public String get(String pathAndQuery) throws IOException {
        return get(pathAndQuery, REQUEST_TIMEOUT);
    }

    /** As {@link #get(String)}, failing after {@code timeout}. */
    public String get(String pathAndQuery, Duration timeout) throws IOException {
        return send(pathAndQuery, timeout, HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * The body of a GET of {@code pathAndQuery} on the child's port.
     *
     * @throws IOException on a network error or a status other than 200
     */
    public String getOk(String pathAndQuery, Duration timeout) throws IOException {
        HttpResponse<String> r = send(pathAndQuery, timeout, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(name + " answered " + r.statusCode() + " to " + pathAndQuery + ": " + r.body());
        }
        return r.body();
    }

    /** {@code http://127.0.0.1:<port><pathAndQuery>}. */
    public String url(String pathAndQuery) {
        return "http://127.0.0.1:" + port + pathAndQuery;
    }

    private <T> HttpResponse<T> send(String pathAndQuery, Duration timeout, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(url(pathAndQuery)))
                            .timeout(timeout)
                            .build(),
                    handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** What the child wrote so far. */
    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the child wrote since its last (re)start. */
    private String runLog() {
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
            long from = Math.min(logOffset, ch.size());
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, ch.size() - from));
            while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
                // read on
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits up to {@code timeout} for the child to exit by itself; returns its exit code.
     *
     * @throws IllegalStateException with the log when it is still running (for a start that must fail)
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("still running after " + timeout + ":\n" + logText());
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush, exactly what {@code kill -9} does. */
    public void kill9() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, the orderly stop; SIGKILL if it has not exited after {@code grace}. Returns the exit code. */
    public int terminate(Duration grace) throws InterruptedException {
        if (process == null) {
            return -1;
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    /** {@link #kill9}, keeping the interrupt for the caller. */
    public void kill() {
        try {
            kill9();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited after the stop grace (10 s unless the builder set one). */
    @Override
    public void close() {
        if (!isAlive()) {
            return;
        }
        try {
            terminate(stopGrace);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
