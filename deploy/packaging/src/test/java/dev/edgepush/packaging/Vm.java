package dev.edgepush.packaging;

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
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real VictoriaMetrics single node on a given loopback port (so a test can start it late: link up). */
final class Vm implements AutoCloseable {
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final int port;
    private final Process process;

    Vm(int port, Path dir) throws IOException {
        this.port = port;
        this.process = new ProcessBuilder(
                        Cmd.require("victoria-metrics", "victoria-metrics"),
                        "-storageDataPath=" + dir.resolve("vm-data"),
                        "-httpListenAddr=127.0.0.1:" + port,
                        "-search.latencyOffset=0s",
                        "-loggerLevel=WARN")
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(dir.resolve("vm.log").toFile()))
                .start();
        Cmd.await(Duration.ofSeconds(120), "victoria-metrics answers /health on " + port, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("victoria-metrics exited; see " + dir.resolve("vm.log"));
            }
            return get(port, "/health").startsWith("OK");
        });
    }

    String writeUrl() {
        return "http://127.0.0.1:" + port + "/api/v1/write";
    }

    /** GET on 127.0.0.1:port; "" when nothing answers. */
    static String get(int port, String pathAndQuery) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Every value stored for the series matching {@code selector}, after a force flush. */
    Set<Long> values(String selector) {
        get(port, "/internal/force_flush");
        String export = get(port, "/api/v1/export?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
        Set<Long> values = new TreeSet<>();
        Matcher m = Pattern.compile("\"values\":\\[([^\\]]*)]").matcher(export);
        while (m.find()) {
            for (String v : m.group(1).split(",")) {
                if (!v.isBlank()) {
                    values.add((long) Double.parseDouble(v));
                }
            }
        }
        return values;
    }

    /** The series (as exported JSON metric objects) matching {@code selector}. */
    List<String> series(String selector) {
        get(port, "/internal/force_flush");
        String export = get(port, "/api/v1/export?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
        return export.lines()
                .filter(l -> !l.isBlank())
                .map(l -> l.substring(0, l.indexOf("\"values\"")))
                .toList();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
