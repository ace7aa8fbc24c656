package dev.edgepush.agent.it;

import dev.edgepush.testsupport.ChildJvm;
import dev.edgepush.testsupport.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * edge-agent in a child JVM (the test classpath), so tests can {@code kill -9} it for real: its
 * status port is {@code -httpListenAddr}, it is up once {@code /health} answers {@code ok}, and
 * {@link #close} is a {@code kill -9}.
 */
final class AgentProcess implements AutoCloseable {
    private final ChildProcess child;
    final int statusPort;
    final Path log;
    final long pid;

    private AgentProcess(ChildProcess child) {
        this.child = child;
        this.statusPort = child.port;
        this.log = child.log;
        this.pid = child.pid();
    }

    boolean isAlive() {
        return child.isAlive();
    }

    static AgentProcess start(Path workDir, int statusPort, String... flags) throws IOException {
        return start(workDir, statusPort, List.of(), flags);
    }

    /** As {@link #start(Path, int, String...)}, with JVM options that override the defaults (e.g. -Xmx). */
    static AgentProcess start(Path workDir, int statusPort, List<String> jvmOptions, String... flags)
            throws IOException {
        return start("dev.edgepush.agent.Main", workDir, statusPort, jvmOptions, flags);
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
        a.child.awaitUp(() -> a.get("/health").equals("ok\n"));
        return a;
    }

    private static AgentProcess launch(
            String mainClass, Path workDir, int statusPort, List<String> jvmOptions, String... flags)
            throws IOException {
        List<String> options = new ArrayList<>();
        options.add("-Xmx64m");
        options.addAll(jvmOptions);
        List<String> args = new ArrayList<>();
        args.add("-httpListenAddr=127.0.0.1:" + statusPort);
        args.addAll(List.of(flags));
        return new AgentProcess(
                ChildProcess.launch("edge-agent", statusPort, workDir, ChildJvm.command(options, mainClass, args)));
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
        child.kill9();
    }

    /** SIGTERM, the orderly stop; returns the exit code. */
    int terminate() throws InterruptedException {
        return child.terminate(Duration.ofSeconds(20));
    }

    String logText() {
        return child.logText();
    }

    static void pause(long ms) {
        ChildProcess.pause(ms);
    }

    /**
     * Whether every buffer under the agent's {@code -remoteWrite.tmpDataPath} {@code dataPath} is
     * one lane: its {@code ack.pos} is absent or the 16-byte single-lane file, not the 32-byte file
     * of a fresh-first split. With one lane delivery is oldest first, so once the newest answered
     * scrape arrived with one lane, everything older that will ever arrive has.
     */
    static boolean oneLane(Path dataPath) {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dataPath)) {
            for (Path f : files.filter(x -> x.getFileName().toString().equals("ack.pos"))
                    .toList()) {
                if (java.nio.file.Files.size(f) != 16) {
                    return false;
                }
            }
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return false; // renamed under us (ack.pos.tmp): ask again
        }
    }

    @Override
    public void close() {
        child.kill();
    }
}
