package dev.edgepush.testbed.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server the benchmark starts (VictoriaMetrics, vmagent, central-ingest) on a loopback port,
 * ready once {@code /health} answers 200, stopped with SIGTERM (SIGKILL after 15 s).
 */
public final class ServerProcess implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final String name;
    final int port;
    final Path log;
    private final Process process;

    private ServerProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    public static ServerProcess start(String name, int port, Path logDir, List<String> command, Map<String, String> env)
            throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        ServerProcess s = new ServerProcess(name, port, log, pb.start());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!s.process.isAlive()) {
                throw new IOException(name + " exited with " + s.process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (s.status("/health") == 200) {
                    return s;
                }
            } catch (IOException e) {
                // not listening yet
            }
            sleep(50);
        }
        s.close();
        throw new IOException(name + " did not answer /health within 60 s; log: " + log);
    }

    public long pid() {
        return process.pid();
    }

    public String url(String pathAndQuery) {
        return "http://127.0.0.1:" + port + pathAndQuery;
    }

    private int status(String path) throws IOException {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url(path)))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public String get(String pathAndQuery) throws IOException {
        try {
            HttpResponse<String> res = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url(pathAndQuery)))
                            .timeout(Duration.ofSeconds(60))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (res.statusCode() != 200) {
                throw new IOException(
                        name + " answered " + res.statusCode() + " to " + pathAndQuery + ": " + res.body());
            }
            return res.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public static String binary(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        throw new IllegalStateException(name + " is not on the PATH: apt-get install -y victoria-metrics");
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
