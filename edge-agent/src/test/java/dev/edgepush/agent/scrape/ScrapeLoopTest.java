package dev.edgepush.agent.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.agent.AgentMetrics;
import dev.edgepush.agent.buffer.BufferReader;
import dev.edgepush.agent.buffer.DiskBuffer;
import dev.edgepush.proto.rw1.RemoteWrite;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One scrape through the real Netty client into the real buffer, read back and decoded. */
class ScrapeLoopTest {
  @TempDir Path dir;
  HttpServer server;
  EventLoopGroup group;
  DiskBuffer buffer;
  AgentMetrics metrics;
  volatile byte[] body = "ok_metric 1\n".getBytes(StandardCharsets.UTF_8);
  volatile boolean gzip;
  volatile long delayMs;
  volatile int status = 200;

  @BeforeEach
  void setUp() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/metrics", ex -> {
      try {
        Thread.sleep(delayMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] out = body;
      if (gzip && String.valueOf(ex.getRequestHeaders().getFirst("Accept-Encoding")).contains("gzip")) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
          gz.write(out);
        }
        out = bos.toByteArray();
        ex.getResponseHeaders().set("Content-Encoding", "gzip");
      }
      ex.sendResponseHeaders(status, out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      } catch (IOException e) {
        // the client gave up (timeout test)
      }
    });
    server.start();
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    buffer = DiskBuffer.open(dir);
    metrics = new AgentMetrics(System::currentTimeMillis);
  }

  @AfterEach
  void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    server.stop(0);
    buffer.close();
  }

  private ScrapeLoop loop(int maxBody, Duration timeout) {
    int port = server.getAddress().getPort();
    ScrapeTarget t = new ScrapeTarget("j", "127.0.0.1:" + port, URI.create("http://127.0.0.1:" + port + "/metrics"),
        Duration.ofSeconds(10), timeout, false, true,
        new TreeMap<>(Map.of("job", "j", "instance", "127.0.0.1:" + port)));
    return new ScrapeLoop(t, new HttpScraper(group, maxBody, "test"), buffer, metrics, System::currentTimeMillis,
        group.next(), new TreeMap<>(), Map.of());
  }

  /** Runs one scrape and returns the written series as name -> value. */
  private Map<String, Double> scrapeOnce(ScrapeLoop loop) throws Exception {
    long before = buffer.bufferedSamplesTotal();
    CountDownLatch done = new CountDownLatch(1);
    group.next().execute(loop::scrapeOnce);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (buffer.bufferedSamplesTotal() == before && System.nanoTime() < deadline) {
      done.await(10, TimeUnit.MILLISECONDS);
    }
    Map<String, Double> out = new HashMap<>();
    try (BufferReader r = buffer.reader()) {
      BufferReader.Record rec = new BufferReader.Record();
      while (r.next(rec)) {
        byte[] raw = new byte[rec.uncompressedLength];
        rec.decompressTo(raw, 0);
        for (RemoteWrite.TimeSeries ts : RemoteWrite.WriteRequest.parseFrom(raw).getTimeseriesList()) {
          String name = ts.getLabelsList().stream().filter(l -> l.getName().equals("__name__")).findFirst().orElseThrow().getValue();
          out.put(name, ts.getSamples(0).getValue());
        }
      }
    }
    return out;
  }

  @Test
  void aGzippedBodyIsDecompressedAndTheSyntheticSeriesAreAdded() throws Exception {
    gzip = true;
    body = "a 1\nb{x=\"y\"} 2\n".getBytes(StandardCharsets.UTF_8);
    ScrapeLoop loop = loop(1 << 20, Duration.ofSeconds(5));
    Map<String, Double> s = scrapeOnce(loop);
    assertEquals(1.0, s.get("a"));
    assertEquals(2.0, s.get("b"));
    assertEquals(1.0, s.get("up"));
    assertEquals(2.0, s.get("scrape_samples_scraped"));
    assertEquals(2.0, s.get("scrape_samples_post_metric_relabeling"));
    assertEquals(2.0, s.get("scrape_series_added"));
    assertTrue(s.containsKey("scrape_duration_seconds"));
    assertTrue(loop.status().up());
  }

  @Test
  void aMalformedExpositionFailsTheScrapeWithUpZeroAndTheErrorShown() throws Exception {
    body = "good 1\nbad{x=\"unterminated} 2\n".getBytes(StandardCharsets.UTF_8);
    ScrapeLoop loop = loop(1 << 20, Duration.ofSeconds(5));
    Map<String, Double> s = scrapeOnce(loop);
    assertEquals(0.0, s.get("up"));
    assertFalse(s.containsKey("good"), "a partial exposition is not written");
    assertFalse(loop.status().up());
    assertTrue(loop.status().lastError().contains("line 2"), loop.status().lastError());
  }

  @Test
  void aBodyOverTheCapFailsTheScrape() throws Exception {
    body = "x 1\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    ScrapeLoop loop = loop(100, Duration.ofSeconds(5));
    assertEquals(0.0, scrapeOnce(loop).get("up"));
    assertTrue(loop.status().lastError().contains("larger than 100 bytes"), loop.status().lastError());
  }

  @Test
  void aSlowTargetTimesOut() throws Exception {
    delayMs = 2000;
    ScrapeLoop loop = loop(1 << 20, Duration.ofMillis(200));
    assertEquals(0.0, scrapeOnce(loop).get("up"));
    assertTrue(loop.status().lastError().contains("timed out"), loop.status().lastError());
  }

  @Test
  void aNon200IsDown() throws Exception {
    status = 503;
    ScrapeLoop loop = loop(1 << 20, Duration.ofSeconds(5));
    assertEquals(0.0, scrapeOnce(loop).get("up"));
    assertTrue(loop.status().lastError().contains("HTTP 503"), loop.status().lastError());
  }
}
