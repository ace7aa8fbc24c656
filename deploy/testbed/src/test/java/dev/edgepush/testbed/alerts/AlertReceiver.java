package dev.edgepush.testbed.alerts;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A test server speaking Alertmanager's {@code POST /api/v2/alerts} (what vmalert's
 * {@code -notifier.url} sends to) on loopback: keeps every alert it is sent, with when it came.
 */
final class AlertReceiver implements AutoCloseable {
  /** One alert as received. {@code endsAt} in the past (at receipt) means resolved. */
  record Received(Instant at, Map<String, String> labels, Map<String, String> annotations, Instant startsAt,
      Instant endsAt) {
    boolean resolved() {
      return endsAt != null && !endsAt.isAfter(at);
    }
  }

  private final HttpServer server;
  private final List<Received> alerts = new ArrayList<>();

  AlertReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/api/v2/alerts", ex -> {
      Instant now = Instant.now();
      try (InputStream in = ex.getRequestBody()) {
        if (!"POST".equals(ex.getRequestMethod())) {
          ex.sendResponseHeaders(405, -1);
          return;
        }
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        add(now, body);
        ex.sendResponseHeaders(200, -1);
      } catch (RuntimeException e) {
        ex.sendResponseHeaders(400, -1);
      } finally {
        ex.close();
      }
    });
    server.start();
  }

  @SuppressWarnings("unchecked")
  private void add(Instant now, String json) {
    LoaderOptions options = new LoaderOptions();
    options.setWarnOnDuplicateKeys(false); // vmalert's labels repeat alertname with the same value
    List<Map<String, Object>> list = new Yaml(options).load(json);
    synchronized (alerts) {
      for (Map<String, Object> a : list) {
        alerts.add(new Received(now, (Map<String, String>) a.get("labels"),
            (Map<String, String>) a.getOrDefault("annotations", Map.of()), time(a.get("startsAt")), time(a.get("endsAt"))));
      }
      alerts.notifyAll();
    }
  }

  private static Instant time(Object v) {
    return v == null || v.toString().startsWith("0001-") ? null : Instant.parse(v.toString());
  }

  /** The base URL for {@code -notifier.url}. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Received> all() {
    synchronized (alerts) {
      return List.copyOf(alerts);
    }
  }

  /** The first alert received after {@code since} matching {@code p}, waiting at most {@code timeoutMs}; null if none. */
  Received await(Instant since, Predicate<Received> p, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    synchronized (alerts) {
      while (true) {
        for (Received r : alerts) {
          if (!r.at().isBefore(since) && p.test(r)) {
            return r;
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return null;
        }
        alerts.wait(left);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
