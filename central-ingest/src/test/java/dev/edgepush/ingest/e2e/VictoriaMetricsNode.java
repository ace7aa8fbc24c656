package dev.edgepush.ingest.e2e;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real VictoriaMetrics single node (Debian's {@code victoria-metrics}) on a fixed loopback port
 * and storage directory, so it can be stopped and started again as a storage outage.
 */
final class VictoriaMetricsNode implements AutoCloseable {
  /** One stored series from /api/v1/export: its labels and its values (staleness markers left out). */
  record Series(Map<String, String> labels, List<Double> values) {}

  private static final Pattern LINE = Pattern.compile("\\{\"metric\":\\{([^}]*)\\},\"values\":\\[([^\\]]*)\\]");
  private static final Pattern PAIR = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\":\"((?:[^\"\\\\]|\\\\.)*)\"");

  final int port;
  private final Path dir;
  private ChildProcess process;

  VictoriaMetricsNode(Path dir) throws IOException {
    this.port = ChildProcess.freePort();
    this.dir = dir;
    start();
  }

  void start() throws IOException {
    process = ChildProcess.start("victoria-metrics", port, dir, List.of(ChildProcess.binary("victoria-metrics"),
        "-storageDataPath=" + dir.resolve("vm-data"), "-httpListenAddr=127.0.0.1:" + port,
        "-search.latencyOffset=0s", "-loggerLevel=WARN"));
  }

  /** SIGTERM and wait: an orderly outage of the storage. */
  void stop() {
    process.close();
  }

  String writeUrl() {
    return "http://127.0.0.1:" + port + "/api/v1/write";
  }

  /** Every series matching {@code selector} over all time, after a force flush. */
  List<Series> export(String selector) throws IOException {
    process.get("/internal/force_flush");
    String body = process.get("/api/v1/export?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    List<Series> out = new ArrayList<>();
    Matcher line = LINE.matcher(body);
    while (line.find()) {
      Map<String, String> labels = new TreeMap<>();
      Matcher pair = PAIR.matcher(line.group(1));
      while (pair.find()) {
        labels.put(pair.group(1), pair.group(2));
      }
      List<Double> values = new ArrayList<>();
      for (String v : line.group(2).split(",")) {
        if (!v.isBlank() && !v.equals("null")) { // null: a staleness marker
          values.add(Double.parseDouble(v.replace("\"", "")));
        }
      }
      out.add(new Series(labels, values));
    }
    return out;
  }

  /** The values of label {@code name} over all time. */
  String labelValues(String name) throws IOException {
    return process.get("/api/v1/label/" + name + "/values?start=0");
  }

  @Override
  public void close() {
    process.close();
  }
}
