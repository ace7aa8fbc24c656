package dev.edgepush.testbed;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child process of a test with its output in a log file; closing stops it (SIGTERM, then SIGKILL). */
final class TestProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    TestProcess(List<String> cmd, Path log) throws IOException {
        this.log = log;
        this.process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** What a JVM prints when {@code main} throws; the process may live on (non-daemon threads). */
    static final String MAIN_DIED = "Exception in thread \"main\"";

    /**
     * Fails with the log if the process has exited or (a JVM) its main thread died, so a wait for a
     * child that cannot come up ends at once instead of at its deadline.
     */
    void assertAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException(
                    log.getFileName() + " exited with " + process.exitValue() + ":\n" + logText());
        }
        String out = logText();
        if (out.contains(MAIN_DIED)) {
            throw new IllegalStateException(log.getFileName() + ": the main thread died:\n" + out);
        }
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** An executable on the PATH (the Debian packages install into /usr/bin). */
    static String binary(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        throw new IllegalStateException(
                name + " is not installed: .ci/run installs it (apt-get install -y victoria-metrics)");
    }

    /** The java launcher running this test. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
