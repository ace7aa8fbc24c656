package dev.edgepush.agent.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** edge-agent in a child JVM (the test classpath), so tests can {@code kill -9} it for real. */
final class AgentProcess implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Process process;
    final int statusPort;
    final Path log;
    final long pid;

    private AgentProcess(Process process, int statusPort, Path log) {
        this.process = process;
        this.statusPort = statusPort;
        this.log = log;
        this.pid = process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    static AgentProcess start(Path workDir, int statusPort, String... flags) throws IOException {
        return start(workDir, statusPort, List.of(), flags);
    }

    /** As {@link #start(Path, int, String...)}, with JVM options that override the defaults (e.g. -Xmx). */
    static AgentProcess start(Path workDir, int statusPort, List<String> jvmOptions, String... flags)
            throws IOException {
        AgentProcess a = launch(workDir, statusPort, jvmOptions, flags);
        a.awaitHealthy();
        return a;
    }

    /** Starts the agent without waiting for it to become healthy (for a start that must fail). */
    static AgentProcess launch(Path workDir, int statusPort, List<String> jvmOptions, String... flags)
            throws IOException {
        return launch("dev.edgepush.agent.Main", workDir, statusPort, jvmOptions, flags);
    }

    /** As {@link #start(Path, int, List, String...)} with another main class (tests of this launcher). */
    static AgentProcess start(String mainClass, Path workDir, int statusPort, List<String> jvmOptions, String... flags)
            throws IOException {
        AgentProcess a = launch(mainClass, workDir, statusPort, jvmOptions, flags);
        a.awaitHealthy();
        return a;
    }

    private static AgentProcess launch(
            String mainClass, Path workDir, int statusPort, List<String> jvmOptions, String... flags)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx64m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(jvmOptions);
        for (String f : System.getProperty(
                        "edgepush.test.jvmFlags",
                        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED "
                                + "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED "
                                + "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED "
                                + "-Dchronicle.analytics.disable=true")
                .split(" ")) {
            cmd.add(f);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.add("-httpListenAddr=127.0.0.1:" + statusPort);
        cmd.addAll(List.of(flags));
        Files.createDirectories(workDir);
        Path log = workDir.resolve("agent-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new AgentProcess(p, statusPort, log);
    }

    /**
     * Waits up to {@code timeout} for the process to exit by itself; returns its exit code, or
     * throws when it is still running (for a start that must fail).
     */
    int awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("still running after " + timeout + ":\n" + Files.readString(log));
        }
        return process.exitValue();
    }

    /**
     * How long a child JVM gets to answer {@code /health}: generous, because on a loaded 2-core
     * machine a JVM start can take tens of seconds. A child that cannot start does not cost this
     * long: {@link #awaitHealthy} fails as soon as the process exits or its main thread dies.
     */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /** What the JVM prints when {@code main} throws; the process may live on (non-daemon threads). */
    static final String MAIN_DIED = "Exception in thread \"main\"";

    private void awaitHealthy() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "edge-agent exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            String out = Files.readString(log);
            if (out.contains(MAIN_DIED)) {
                close();
                throw new IllegalStateException("edge-agent's main thread died:\n" + out);
            }
            try {
                if (get("/health").equals("ok\n")) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            pause(50);
        }
        close();
        throw new IllegalStateException(
                "edge-agent did not become healthy in " + START_TIMEOUT + ":\n" + Files.readString(log));
    }

    String get(String path) throws IOException {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** A self metric's value, e.g. {@code edge_agent_buffer_pending_samples}. */
    double metric(String name) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(get("/metrics"));
        if (!m.find()) {
            throw new IllegalStateException("no metric " + name);
        }
        return Double.parseDouble(m.group(1));
    }

    /** SIGKILL: no shutdown hook, no flush, exactly what {@code kill -9} does. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, the orderly stop; returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    String logText() throws IOException {
        return Files.readString(log);
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
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
