package dev.edgepush.testbed;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** A real VictoriaMetrics single node on a free loopback port with its own storage directory. */
final class LocalVictoriaMetrics implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final int port;
    private final TestProcess process;

    LocalVictoriaMetrics(Path dir) throws IOException {
        this.port = TestProcess.freePort();
        this.process = new TestProcess(
                List.of(
                        TestProcess.binary("victoria-metrics"),
                        "-storageDataPath=" + dir.resolve("vm-data"),
                        "-httpListenAddr=127.0.0.1:" + port,
                        "-search.latencyOffset=0s",
                        "-loggerLevel=WARN"),
                dir.resolve("vm.log"));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            process.assertAlive();
            try {
                if (get("/health").startsWith("OK")) {
                    return;
                }
            } catch (IOException e) {
                // starting
            }
            TestProcess.pause(50);
        }
        process.close();
        throw new IllegalStateException("victoria-metrics did not start:\n" + process.logText());
    }

    String writeUrl() {
        return "http://127.0.0.1:" + port + "/api/v1/write";
    }

    String get(String pathAndQuery) throws IOException {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Every stored series over all time as its sorted labels, after a force flush. */
    Set<String> series() throws IOException {
        get("/internal/force_flush");
        return SensorSideBySideWithVmagentIT.parseSeries(
                get("/api/v1/series?start=0&match[]=" + URLEncoder.encode("{__name__!=\"\"}", StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        process.close();
    }
}
