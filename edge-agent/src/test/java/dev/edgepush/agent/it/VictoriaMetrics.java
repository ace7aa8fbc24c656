package dev.edgepush.agent.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real VictoriaMetrics single node (Debian's {@code victoria-metrics} package, installed by
 * {@code .ci/run}) on a free loopback port with its own storage directory. It can be stopped
 * and started again on the same port and storage, as an outage of the central side.
 */
final class VictoriaMetrics implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final int port;
  private final Path storage;
  private final Path log;
  private Process process;

  VictoriaMetrics(Path dir) throws IOException {
    this.port = freePort();
    this.storage = dir.resolve("vm-data");
    this.log = dir.resolve("vm.log");
    start();
  }

  static String binary() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, "victoria-metrics"))) {
        return Path.of(d, "victoria-metrics").toString();
      }
    }
    throw new IllegalStateException(
        "victoria-metrics is not installed: run `apt-get install -y victoria-metrics` (.ci/run does)");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  void start() throws IOException {
    process = new ProcessBuilder(binary(), "-storageDataPath=" + storage, "-httpListenAddr=127.0.0.1:" + port,
            "-search.latencyOffset=0s", "-loggerLevel=WARN")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    // Generous for a loaded machine; a VictoriaMetrics that exits fails at once, with its log.
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("victoria-metrics exited with " + process.exitValue() + ":\n"
            + Files.readString(log));
      }
      try {
        if (get("/health").startsWith("OK")) {
          return;
        }
      } catch (IOException e) {
        // starting
      }
      AgentProcess.pause(50);
    }
    throw new IllegalStateException("victoria-metrics did not start:\n" + Files.readString(log));
  }

  void stop() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }

  String writeUrl() {
    return "http://127.0.0.1:" + port + "/api/v1/write";
  }

  String get(String pathAndQuery) throws IOException {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Every stored value of the series matching {@code selector}, via /api/v1/export. */
  List<Double> exportValues(String selector) throws IOException {
    get("/internal/force_flush");
    String body = get("/api/v1/export?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    List<Double> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"values\":\\[([^\\]]*)\\]").matcher(body);
    while (m.find()) {
      for (String v : m.group(1).split(",")) {
        if (!v.isBlank() && !v.equals("null")) { // null: a staleness marker
          out.add(Double.parseDouble(v.replace("\"", "")));
        }
      }
    }
    return out;
  }

  /** Timestamps of the stored samples equal to 0 of the series matching {@code selector}. */
  List<Long> exportZeroTimestamps(String selector) throws IOException {
    get("/internal/force_flush");
    String body = get("/api/v1/export?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    List<Long> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"values\":\\[([^\\]]*)\\],\"timestamps\":\\[([^\\]]*)\\]").matcher(body);
    while (m.find()) {
      String[] v = m.group(1).split(",");
      String[] t = m.group(2).split(",");
      for (int i = 0; i < v.length && i < t.length; i++) {
        if (v[i].equals("0")) {
          out.add(Long.parseLong(t[i]));
        }
      }
    }
    return out;
  }

  /** Each value of {@code selector}'s samples (read as a whole number) -> its first timestamp. */
  /** Every timestamp of a real (non-stale) sample of the series matching {@code selector}, sorted. */
  List<Long> exportTimestamps(String selector) throws IOException {
    get("/internal/force_flush");
    String body = get("/api/v1/export?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    List<Long> out = new java.util.ArrayList<>();
    Matcher m = Pattern.compile("\"values\":\\[([^\\]]*)\\],\"timestamps\":\\[([^\\]]*)\\]").matcher(body);
    while (m.find()) {
      String[] v = m.group(1).split(",");
      String[] t = m.group(2).split(",");
      for (int i = 0; i < v.length && i < t.length; i++) {
        if (!v[i].isBlank() && !v[i].replace("\"", "").equals("null")) {
          out.add(Long.parseLong(t[i]));
        }
      }
    }
    out.sort(null);
    return out;
  }

  Map<Long, Long> exportValueTimestamps(String selector) throws IOException {
    get("/internal/force_flush");
    String body = get("/api/v1/export?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    Map<Long, Long> out = new HashMap<>();
    Matcher m = Pattern.compile("\"values\":\\[([^\\]]*)\\],\"timestamps\":\\[([^\\]]*)\\]").matcher(body);
    while (m.find()) {
      String[] v = m.group(1).split(",");
      String[] t = m.group(2).split(",");
      for (int i = 0; i < v.length && i < t.length; i++) {
        String value = v[i].replace("\"", "");
        if (!value.isBlank() && !value.equals("null")) { // null: a staleness marker
          out.putIfAbsent((long) Double.parseDouble(value), Long.parseLong(t[i]));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
