package dev.edgepush.agent.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scrape target that numbers its answers: each /metrics response carries {@code test_seq N}
 * (plus {@code fillerSeries} other series) and the target remembers when each N was answered
 * in full. Loss is then computed, not guessed.
 */
final class CountingTarget implements AutoCloseable {
  private final HttpServer server;
  private final AtomicLong seq = new AtomicLong();
  /** seq -> nanoTime when its response was completely written. */
  final Map<Long, Long> answered = new ConcurrentSkipListMap<>();
  /** seq -> wall-clock ms when its request arrived, to match it with the agent's own records. */
  final Map<Long, Long> requestedAtMs = new ConcurrentSkipListMap<>();
  private volatile boolean serving = true;

  CountingTarget(int fillerSeries) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newSingleThreadExecutor());
    server.createContext("/metrics", ex -> {
      if (!serving) {
        ex.sendResponseHeaders(503, -1);
        ex.close();
        return;
      }
      long n = seq.incrementAndGet();
      requestedAtMs.put(n, System.currentTimeMillis());
      StringBuilder sb = new StringBuilder("# TYPE test_seq gauge\ntest_seq ").append(n).append('\n');
      for (int i = 0; i < fillerSeries; i++) {
        sb.append("test_filler{idx=\"").append(i).append("\"} ").append(n * 1000 + i).append('\n');
      }
      byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
      answered.put(n, System.nanoTime());
    });
    server.start();
  }

  /**
   * The scrapes that may have been in flight when the agent was killed at each of {@code
   * killNanos}: for each kill, the last scrape answered before it. The agent scrapes a target
   * one request at a time, so no other answered scrape can still be unwritten at that instant.
   */
  java.util.Set<Long> lastAnsweredBefore(java.util.List<Long> killNanos) {
    java.util.Set<Long> out = new java.util.TreeSet<>();
    for (long k : killNanos) {
      long last = -1;
      for (Map.Entry<Long, Long> e : answered.entrySet()) {
        if (e.getValue() <= k) {
          last = e.getKey();
        }
      }
      if (last > 0) {
        out.add(last);
      }
    }
    return out;
  }

  /**
   * The missing scrapes that the agent itself recorded as failed: each has an {@code up 0}
   * sample (one of {@code upZeroTimestampsMs}, the scrape start) at most 500 ms before its
   * request arrived, each such sample used once. A cold JVM's first scrape can pass a short
   * scrape_timeout: the target answered, the agent gave up and said so with {@code up 0}.
   */
  java.util.Set<Long> failedByAgent(java.util.Set<Long> missing, java.util.Collection<Long> upZeroTimestampsMs) {
    java.util.List<Long> zeros = new java.util.ArrayList<>(upZeroTimestampsMs);
    java.util.Set<Long> out = new java.util.TreeSet<>();
    for (long seq : missing) {
      long at = requestedAtMs.getOrDefault(seq, Long.MIN_VALUE);
      for (java.util.Iterator<Long> it = zeros.iterator(); it.hasNext(); ) {
        long z = it.next();
        if (z <= at && at - z < 500) {
          out.add(seq);
          it.remove();
          break;
        }
      }
    }
    return out;
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** From now on answer 503: no new samples, so the test can wait for a drained buffer. */
  void stopServing() {
    serving = false;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
