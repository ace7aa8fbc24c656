package dev.edgepush.ingest.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One child process of an end-to-end test (VictoriaMetrics, vmagent, edge-agent, central-ingest)
 * with its log file and the loopback port it serves {@code /health} on. Started processes are
 * considered up only once {@code /health} answers 200; {@link #close} stops them with SIGTERM
 * (SIGKILL after 10 s) so nothing outlives the test.
 */
final class ChildProcess implements AutoCloseable {
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /**
     * How long a child gets to come up: generous, because on a loaded 2-core machine a JVM start can
     * take tens of seconds. A child that cannot start does not cost this long: {@link #awaitHealthy}
     * fails as soon as the process exits or (a JVM) its main thread dies.
     */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** What a JVM prints when {@code main} throws; the process may live on (non-daemon threads). */
    private static final String MAIN_DIED = "Exception in thread \"main\"";

    final String name;
    final int port;
    final Path log;
    private final Process process;

    private ChildProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code command} and waits until {@code http://127.0.0.1:port/health} answers 200. */
    static ChildProcess start(String name, int port, Path logDir, List<String> command) throws IOException {
        return start(name, port, logDir, command, null);
    }

    /** Answers whether the child is up: e.g. {@code /health} over https, for a child that speaks TLS only. */
    @FunctionalInterface
    interface Probe {
        boolean up() throws IOException;
    }

    /** As {@link #start(String, int, Path, List)}, up once {@code probe} (if not null) says so. */
    static ChildProcess start(String name, int port, Path logDir, List<String> command, Probe probe)
            throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + "-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ChildProcess c = new ChildProcess(name, port, log, p);
        try {
            c.awaitHealthy(probe != null ? probe : () -> c.status("/health") == 200);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void awaitHealthy(Probe probe) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            String out = Files.readString(log);
            if (out.contains(MAIN_DIED)) {
                throw new IllegalStateException(name + "'s main thread died:\n" + out);
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
        throw new IllegalStateException(
                name + " did not answer /health in " + START_TIMEOUT + ":\n" + Files.readString(log));
    }

    private int status(String path) throws IOException {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    String get(String pathAndQuery) throws IOException {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook, no flush, exactly what {@code kill -9} does. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The absolute path of {@code name} on the PATH, or a message saying how to install it. */
    static String binary(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        throw new IllegalStateException(
                name + " is not installed: run `apt-get install -y victoria-metrics` (.ci/run does)");
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited after 10 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
