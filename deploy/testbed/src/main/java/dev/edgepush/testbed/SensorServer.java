package dev.edgepush.testbed;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated sensor service: a JDK {@link HttpServer} with a single worker thread serving
 * {@code GET /metrics} (Prometheus text 0.0.4), {@code GET /stats} (JSON accounting) and
 * {@code GET /health}.
 *
 * <p>Every {@code /metrics} response gets the next sequence number, sent both as the
 * {@code X-Scrape-Seq} header and as the {@code sensor_scrape_seq} gauge. A scrape counts as
 * answered (in {@code /stats}) only once its whole body was written and the exchange closed
 * without error; a response that failed mid-way still consumed its sequence number, so a loss
 * checker sees a gap there.
 */
final class SensorServer implements AutoCloseable {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  static final String SEQ_HEADER = "X-Scrape-Seq";

  private final HttpServer server;
  private final ExecutorService executor;
  private final SensorModel model;
  private final String host;
  private final long startedAtMs;
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();

  private SensorServer(HttpServer server, ExecutorService executor, SensorModel model,
      String host, long startedAtMs) {
    this.server = server;
    this.executor = executor;
    this.model = model;
    this.host = host;
    this.startedAtMs = startedAtMs;
  }

  /**
   * Binds and starts a simulator.
   *
   * @param host address to bind (name or literal)
   * @param port port to bind, 0 for any free port
   * @param seed seed of the simulation
   * @param series number of extra synthetic gauges
   * @return the running server
   * @throws IOException if the address cannot be bound
   */
  static SensorServer start(String host, int port, long seed, int series) throws IOException {
    long startedAtMs = System.currentTimeMillis();
    SensorModel model = new SensorModel(seed, series, startedAtMs);
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 128);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sensor-sim-" + http.getAddress().getPort());
      t.setDaemon(true);
      return t;
    });
    SensorServer sim = new SensorServer(http, executor, model, host, startedAtMs);
    http.setExecutor(executor);
    http.createContext("/", sim::handle);
    http.start();
    return sim;
  }

  /** The port actually bound. */
  int port() {
    return server.getAddress().getPort();
  }

  /** The scrape URL, with the host as given and the real port. */
  String metricsUrl() {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port() + "/metrics";
  }

  /** Number of {@code /metrics} responses written in full. */
  long scrapesAnswered() {
    return answered.get();
  }

  /** Wall-clock start in milliseconds since the epoch. */
  long startedAtMs() {
    return startedAtMs;
  }

  /** The JSON document served at {@code /stats}. */
  String statsJson() {
    return "{\"scrapes_answered\":" + answered.get() + ",\"started_at_ms\":" + startedAtMs
        + ",\"series\":" + model.syntheticSeries() + "}";
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      boolean known = path.equals("/metrics") || path.equals("/stats") || path.equals("/health");
      if (!known) {
        send(ex, 404, "text/plain; charset=utf-8", "not found; try /metrics, /stats or /health\n");
      } else if (!method.equals("GET")) {
        ex.getResponseHeaders().set("Allow", "GET");
        send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
      } else if (path.equals("/metrics")) {
        long seq = issued.incrementAndGet();
        model.tick();
        ex.getResponseHeaders().set(SEQ_HEADER, Long.toString(seq));
        send(ex, 200, CONTENT_TYPE, model.render(seq, System.currentTimeMillis()));
        answered.incrementAndGet();
      } else if (path.equals("/stats")) {
        send(ex, 200, "application/json", statsJson());
      } else {
        send(ex, 200, "text/plain; charset=utf-8", "ok");
      }
    } finally {
      ex.close();
    }
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops serving immediately and releases the port and worker thread. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
